"""The health models, moved from ``partners`` (``partners/migrations/0006_health.py``).

State only: the tables ``partners_healthmetric`` … exist already (created by partners' 0006 on a
fresh database, kept with their data on an existing one); ``partners/migrations/0008_health_moved``
removes the models from partners' state first.
"""

import django.core.validators
import django.db.models.deletion
import health.models
import partners.models.applications
import uuid
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('partners', '0008_health_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HealthSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('productivity_weight', models.DecimalField(decimal_places=2, default=Decimal('1'), max_digits=6, validators=[django.core.validators.MinValueValidator(0)], verbose_name='productivity weight')),
                        ('robustness_weight', models.DecimalField(decimal_places=2, default=Decimal('1'), max_digits=6, validators=[django.core.validators.MinValueValidator(0)], verbose_name='robustness weight')),
                        ('innovation_weight', models.DecimalField(decimal_places=2, default=Decimal('1'), max_digits=6, validators=[django.core.validators.MinValueValidator(0)], verbose_name='innovation weight')),
                        ('at_risk_drop_points', models.DecimalField(decimal_places=2, default=Decimal('10'), max_digits=5, validators=[django.core.validators.MinValueValidator(0)], verbose_name='at risk: drop of more than (points)')),
                        ('at_risk_floor', models.DecimalField(decimal_places=2, default=Decimal('40'), max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='at risk: composite below')),
                        ('healthy_threshold', models.DecimalField(decimal_places=2, default=Decimal('70'), max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='healthy from')),
                        ('report_recipients', models.TextField(blank=True, help_text='Email addresses, one per line, for scheduled reports.', verbose_name='report recipients')),
                    ],
                    options={
                        'db_table': 'partners_healthsettings',
                        'verbose_name': 'health model settings',
                    },
                ),
                migrations.CreateModel(
                    name='HealthMetric',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(help_text="Key of this metric in snapshots (usually the metric's slug).", max_length=40, unique=True, verbose_name='slug')),
                        ('dimension', models.CharField(choices=[('productivity', 'Productivity'), ('robustness', 'Robustness'), ('innovation', 'Innovation')], max_length=20, verbose_name='dimension')),
                        ('weight', models.DecimalField(decimal_places=2, default=Decimal('1'), max_digits=6, validators=[django.core.validators.MinValueValidator(0)], verbose_name='weight')),
                        ('direction', models.CharField(choices=[('higher', 'Higher is better'), ('lower', 'Lower is better')], default='higher', max_length=10, verbose_name='direction')),
                        ('aggregation', models.CharField(choices=[('sum', 'Sum over the window'), ('avg', 'Monthly average over the window'), ('latest', 'Latest month reported in the window'), ('growth', 'Growth: window sum vs the window before (%)')], default='sum', max_length=10, verbose_name='aggregation')),
                        ('window_months', models.PositiveSmallIntegerField(default=3, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='window (months)')),
                        ('kinds', models.JSONField(blank=True, default=health.models._default_kinds, help_text='Kinds this metric applies to (empty = every kind). Other kinds do not have it.', validators=[health.models.validate_kinds], verbose_name='partner kinds')),
                        ('missing_counts_as_zero', models.BooleanField(default=False, help_text='When a partner has no fact in the window: score the value 0 (checked) or leave the metric out of its scores (unchecked, the default).', verbose_name='missing counts as zero')),
                        ('formula', models.CharField(blank=True, max_length=255, verbose_name='formula')),
                        ('formula_en', models.CharField(blank=True, max_length=255, verbose_name='formula (English)')),
                        ('source', models.CharField(blank=True, max_length=80, verbose_name='source')),
                        ('improvement_hint', models.TextField(blank=True, verbose_name='how to improve')),
                        ('improvement_hint_en', models.TextField(blank=True, verbose_name='how to improve (English)')),
                        ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('denominator', models.ForeignKey(blank=True, help_text='Optional: the value is metric ÷ this metric (aggregated the same way), in percent.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.metric', verbose_name='divided by')),
                        ('metric', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='health_metrics', to='partners.metric', verbose_name='metric')),
                    ],
                    options={
                        'db_table': 'partners_healthmetric',
                        'verbose_name': 'health metric',
                        'verbose_name_plural': 'health metrics',
                        'ordering': ['dimension', 'sort_order', 'slug'],
                    },
                ),
                migrations.CreateModel(
                    name='HealthRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('first_month', models.DateField(verbose_name='from month')),
                        ('last_month', models.DateField(verbose_name='to month')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('total', models.PositiveIntegerField(default=0, verbose_name='months')),
                        ('processed', models.PositiveIntegerField(default=0, verbose_name='months processed')),
                        ('summary', models.JSONField(blank=True, default=dict, verbose_name='summary')),
                        ('message', models.CharField(blank=True, max_length=255, verbose_name='message')),
                        ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'partners_healthrun',
                        'verbose_name': 'health computation',
                        'verbose_name_plural': 'health computations',
                        'ordering': ['-created_at'],
                        'permissions': [('run_health', 'Can recompute health snapshots')],
                    },
                ),
                migrations.CreateModel(
                    name='VendorRevenue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='First day of the month.', unique=True, verbose_name='month')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='amount (CNY)')),
                        ('note', models.CharField(blank=True, max_length=255, verbose_name='note')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'partners_vendorrevenue',
                        'verbose_name': 'vendor revenue',
                        'verbose_name_plural': 'vendor revenue',
                        'ordering': ['-month'],
                    },
                ),
                migrations.CreateModel(
                    name='AtRiskFlag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(verbose_name='month')),
                        ('composite', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='health score')),
                        ('previous_composite', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='previous health score')),
                        ('cause', models.CharField(choices=[('drop', 'Sharp drop'), ('floor', 'Below the floor')], max_length=10, verbose_name='cause')),
                        ('cause_detail', models.JSONField(blank=True, default=dict, verbose_name='detail')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='flagged')),
                        ('notified_at', models.DateTimeField(blank=True, null=True, verbose_name='notified')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged')),
                        ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='at_risk_flags', to='partners.partner')),
                    ],
                    options={
                        'db_table': 'partners_atriskflag',
                        'verbose_name': 'at-risk flag',
                        'verbose_name_plural': 'at-risk flags',
                        'ordering': ['-month', 'composite'],
                        'constraints': [models.UniqueConstraint(fields=('partner', 'month', 'cause'), name='atriskflag_unique_cause')],
                    },
                ),
                migrations.CreateModel(
                    name='GeneratedReport',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('kind', models.CharField(choices=[('partner_health', 'Partner health report'), ('ecosystem', 'Ecosystem report')], max_length=20, verbose_name='kind')),
                        ('period_start', models.DateField(verbose_name='from')),
                        ('period_end', models.DateField(verbose_name='to')),
                        ('language', models.CharField(choices=[('zh-hans', '简体中文'), ('en', 'English')], default='zh-hans', max_length=10, verbose_name='language')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='progress')),
                        ('file', models.FileField(blank=True, max_length=255, storage=partners.models.applications.get_private_storage, upload_to=health.models.generated_report_path, verbose_name='file')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('emailed_to', models.TextField(blank=True, verbose_name='emailed to')),
                        ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='health_reports', to='partners.partner')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'partners_generatedreport',
                        'verbose_name': 'generated report',
                        'verbose_name_plural': 'generated reports',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['kind', 'partner'], name='genreport_kind_partner')],
                    },
                ),
                migrations.CreateModel(
                    name='HealthSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='First day of the month.', verbose_name='month')),
                        ('kind', models.CharField(choices=[('isv', 'ISV'), ('service', 'Service partner'), ('alliance', 'Strategic alliance'), ('developer', 'Developer'), ('channel', 'Channel partner')], max_length=20, verbose_name='kind')),
                        ('productivity', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='productivity')),
                        ('robustness', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='robustness')),
                        ('innovation', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='innovation')),
                        ('composite', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='health score')),
                        ('metrics', models.JSONField(blank=True, default=dict, verbose_name='metrics')),
                        ('previous_composite', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='previous health score')),
                        ('computed_at', models.DateTimeField(verbose_name='computed')),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_snapshots', to='partners.partner')),
                        ('tier', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='partners.tier')),
                    ],
                    options={
                        'db_table': 'partners_healthsnapshot',
                        'verbose_name': 'health snapshot',
                        'verbose_name_plural': 'health snapshots',
                        'ordering': ['-month', 'partner'],
                        'indexes': [models.Index(fields=['month', 'kind'], name='healthsnapshot_month_kind')],
                        'constraints': [models.UniqueConstraint(fields=('partner', 'month'), name='healthsnapshot_unique_month')],
                    },
                ),
            ],
        ),
    ]
