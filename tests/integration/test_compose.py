"""docker-compose.yml is valid and complete; the Dockerfile builds what it promises.

No Docker engine runs here: Debian's docker-compose (1.29, installed by `make test`) parses,
interpolates and validates the file with `docker-compose config`. The file is checked in a
scratch directory beside a `.env` copied from `.env.example`, exactly as a deployment starts.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "Dockerfile"

INFRA = ("postgres", "redis", "elasticsearch")
APP = ("web", "worker", "beat")
SERVICES = APP + INFRA


def docker_compose():
    binary = shutil.which("docker-compose") or (
        "/usr/bin/docker-compose" if Path("/usr/bin/docker-compose").exists() else None
    )
    if binary is None:
        pytest.skip("docker-compose is not installed: `make test` installs Debian's docker-compose package")
    return binary


def run_config(project: Path, *args: str) -> subprocess.CompletedProcess:
    # A clean environment: variables of the test run (DATABASE_URL, REDIS_URL...) must not
    # leak into the interpolation of the compose file.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(project)}
    return subprocess.run(
        [docker_compose(), "-f", "docker-compose.yml", "config", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    directory = tmp_path_factory.mktemp("compose")
    shutil.copy(COMPOSE, directory / "docker-compose.yml")
    shutil.copy(ENV_EXAMPLE, directory / ".env")
    return directory


@pytest.fixture(scope="module")
def config(project):
    result = run_config(project)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_quiet_validation_passes(project):
    result = run_config(project, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_every_service_is_defined(config):
    assert set(SERVICES) <= set(config["services"])


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_health_check(config, name):
    healthcheck = config["services"][name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable"), f"{name} disables its healthcheck"
    assert healthcheck["test"][0] in ("CMD", "CMD-SHELL")
    assert healthcheck.get("interval") and healthcheck.get("retries")


def test_health_checks_ask_the_right_question(config):
    services = config["services"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    assert "_cluster/health" in " ".join(services["elasticsearch"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "check_heartbeat" in " ".join(services["beat"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP)
def test_app_services_wait_for_healthy_infrastructure_and_migrations(config, name):
    depends_on = config["services"][name]["depends_on"]
    for infra in INFRA:
        assert depends_on[infra]["condition"] == "service_healthy", f"{name} -> {infra}"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_is_a_one_shot_that_runs_migrations(config):
    migrate = config["services"]["migrate"]
    assert migrate["command"][:3] == ["python", "manage.py", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_commands(config):
    services = config["services"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    beat = services["beat"]["command"]
    assert beat[:4] == ["celery", "-A", "config", "beat"]
    assert "--scheduler=django_celery_beat.schedulers:DatabaseScheduler" in beat
    # web runs the image's default command: gunicorn serving config.wsgi.
    assert "command" not in services["web"]
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE.read_text(), re.M).group(1)
    assert cmd.startswith('["gunicorn", "config.wsgi"')


def test_only_one_beat(config):
    beat = config["services"]["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat.get("scale", 1) == 1


def test_named_volumes_hold_all_state(config):
    assert {"pg-data", "redis-data", "es-data", "media"} <= set(config["volumes"])
    services = config["services"]

    def mounts(name):
        return {v.split(":")[0]: v.split(":")[1] for v in services[name].get("volumes", [])}

    assert mounts("postgres")["pg-data"] == "/var/lib/postgresql/data"
    assert mounts("redis")["redis-data"] == "/data"
    assert mounts("elasticsearch")["es-data"] == "/usr/share/elasticsearch/data"
    for name in APP:
        assert mounts(name)["media"] == "/app/var/media", name


def test_images(config):
    services = config["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert re.fullmatch(
        r"docker\.elastic\.co/elasticsearch/elasticsearch:8\.\d+\.\d+", services["elasticsearch"]["image"]
    )
    for name in APP:
        assert services[name]["image"] == services["migrate"]["image"] == "symbio:latest"


def test_app_environment_comes_from_env_file(config):
    # `config` inlines env_file: values from .env appear in each app container's environment.
    for name in (*APP, "migrate"):
        environment = config["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        for variable in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "STRIPE_SECRET_KEY"):
            assert variable in environment, f"{name} lacks {variable}"
    # The infrastructure containers do not receive the application's secrets.
    for name in INFRA:
        assert "SECRET_KEY" not in config["services"][name].get("environment", {})


def test_elasticsearch_single_node_with_security_settled(config):
    environment = config["services"]["elasticsearch"]["environment"]
    assert environment["discovery.type"] == "single-node"
    assert environment["xpack.security.enabled"] == "false"  # the .env.example default
    assert "xpack.security.http.ssl.enabled" in environment


def test_only_web_publishes_a_port_and_on_loopback_by_default(config):
    services = config["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"web"}
    port = services["web"]["ports"][0]
    host_ip = port["host_ip"] if isinstance(port, dict) else str(port).split(":")[0]
    assert host_ip == "127.0.0.1"


def test_missing_database_password_is_refused_with_its_name(tmp_path):
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    lines = [
        line for line in ENV_EXAMPLE.read_text().splitlines() if not line.startswith("POSTGRES_PASSWORD=")
    ]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n")
    result = run_config(tmp_path, "-q")
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_every_compose_variable_is_in_env_example():
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", COMPOSE.read_text()))
    listed = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    assert used - listed == set()


# --- Dockerfile ----------------------------------------------------------------------
def test_dockerfile_builds_the_promised_image():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", text, re.M)
    for package in ("libpango-1.0-0", "fonts-noto-cjk", "gettext"):
        assert package in text
    assert "pip install -r requirements.txt" in text
    assert "manage.py collectstatic --noinput" in text
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*", text, re.M) and "/healthz" in text


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    for pattern in (".env", ".venv", ".git", "var"):
        assert pattern in ignored
