"""Publishing a Wagtail page with fewer queries, leaving exactly what Wagtail's publish leaves.

:class:`FastPublish` is the page mixin of the catalogue's listings and the partners' pages:

- one reference-index update per ``save_revision`` / ``publish`` step, and none for a save that
  writes only revision columns (``core.reference_index``);
- no admin-index write for a save that writes no field of the page's entry
  (:class:`AdminIndexOnContentSaves`; the backend itself is ``core.wagtail_search``);
- the revision read back with one existence query per related model instead of a ``get()`` per
  foreign key of the page and of every child row in its JSON (:func:`targets_exist`), and the
  page read back not asked again for the rows found so when ``publish()`` validates it.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from asgiref.local import Local
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Field, ForeignObjectRel, ManyToManyRel, ManyToOneRel
from modelcluster.models import ClusterableModel, get_all_child_relations

from core.reference_index import OneReferenceIndexUpdate

# --- Saves that cannot change an entry ------------------------------------------------------
#
# ``save_revision()`` saves the page with ``update_fields`` naming only revision columns
# (``latest_revision``, ``latest_revision_created_at``, ``draft_title``, ``has_unpublished_changes``),
# and modelsearch's ``post_save`` receiver rewrites the page's entry all the same: the page read
# again, its title, autocomplete and body recomputed and upserted. The database backends store
# nothing else in an entry (filter fields are read from the model's own table), so a save whose
# ``update_fields`` name none of the fields the entry is made of leaves it as it was.


def _is_database_backend(backend) -> bool:
    return any(cls.__module__.startswith("modelsearch.backends.database.") for cls in type(backend).__mro__)


@cache
def _entry_fields(model) -> frozenset[str] | None:
    """Names (and attnames) of ``model``'s columns an admin-index entry is made of; None when a
    search field is not a plain column (a method or property could read anything)."""
    from modelsearch import index

    columns = {}
    for field in model._meta.concrete_fields:
        columns[field.name] = columns[field.attname] = field
    names: set[str] = set()
    for search_field in model.get_search_fields():
        if isinstance(search_field, index.FilterField):
            continue  # not in the entry on the database backends
        field = columns.get(search_field.field_name)
        if field is None:
            return None
        names |= {field.name, field.attname}
    return frozenset(names)


def cannot_change_entry(model, update_fields) -> bool:
    """True when a save of ``model`` writing only ``update_fields`` leaves its admin-index entry
    unchanged on every auto-updating backend."""
    if update_fields is None:
        return False
    entry_fields = _entry_fields(model)
    if entry_fields is None or entry_fields & set(update_fields):
        return False
    from wagtail.search.backends import get_search_backends_with_name

    return all(
        _is_database_backend(backend)
        for _name, backend in get_search_backends_with_name(with_auto_update=True)
    )


def post_save_signal_handler(instance, raw=False, update_fields=None, **kwargs):
    """modelsearch's ``post_save`` receiver, minus the saves that cannot change the entry."""
    from modelsearch.signal_handlers import post_save_signal_handler as index_on_save

    if raw or cannot_change_entry(type(instance), update_fields):
        return
    index_on_save(instance, update_fields=update_fields, **kwargs)


class AdminIndexOnContentSaves:
    """Model mixin: modelsearch connects no receivers for the model (``search_auto_update``);
    :func:`connect_signal_handlers` connects :func:`post_save_signal_handler` and modelsearch's
    own ``post_delete`` receiver instead."""

    search_auto_update = False


def connect_signal_handlers() -> None:
    """For every model with :class:`AdminIndexOnContentSaves` (``CoreConfig.ready``)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from modelsearch.index import class_is_indexed
    from modelsearch.signal_handlers import post_delete_signal_handler

    for model in apps.get_models():
        if issubclass(model, AdminIndexOnContentSaves) and class_is_indexed(model):
            post_save.connect(post_save_signal_handler, sender=model)
            post_delete.connect(post_delete_signal_handler, sender=model)


def _collect_targets(model, data, targets) -> bool:
    """Add the foreign-key values of ``data`` (a ``serializable_data()`` dict of ``model``) and of
    its child rows to ``targets`` ({(related model, target field): {values}}), walking them as
    modelcluster's ``from_serializable_data`` does; False where it would do something this does not
    know (a child model with its own ``from_serializable_data``)."""
    for name, value in data.items():
        try:
            field = model._meta.get_field(name)
        except Exception:  # FieldDoesNotExist: modelcluster skips the key too
            continue
        if isinstance(field, ForeignObjectRel) or not field.remote_field or value is None:
            continue
        if isinstance(field.remote_field, ManyToManyRel):
            continue  # read with filter(pk__in=…), not checked one by one
        if isinstance(field.remote_field, ManyToOneRel):
            remote = field.remote_field
            target = remote.model._meta.get_field(remote.field_name)
            targets[(remote.model, remote.field_name)].add(target.to_python(value))
    if not issubclass(model, ClusterableModel):
        return True
    for relation in get_all_child_relations(model):
        children = data.get(relation.get_accessor_name())
        if not children:
            continue
        child_model = relation.related_model
        own = getattr(child_model, "from_serializable_data", None)
        if own is not None and own.__func__ is not ClusterableModel.from_serializable_data.__func__:
            return False
        for child in children:
            if not _collect_targets(child_model, child, targets):
                return False
    return True


def targets_exist(model, data) -> bool:
    """True when every object the foreign keys in ``data`` (and its child rows) point at exists —
    checked with one query per related model, through the same default manager modelcluster's
    ``get()`` uses. Then reading ``data`` with ``check_fks`` gives what reading it without does:
    the checks only ever drop or clear a key whose object is gone."""
    targets: dict[tuple[type, str], set] = defaultdict(set)
    if not _collect_targets(model, data, targets):
        return False
    seen = getattr(_publishing, "found", None)
    for (related, field_name), values in targets.items():
        queryset = related._default_manager.filter(**{f"{field_name}__in": values})
        found = set(queryset.values_list(field_name, flat=True))
        if seen is not None:
            seen.update((queryset.db, related, field_name, value) for value in found)
        if found != values:
            return False
    return True


# --- The publish's validation ------------------------------------------------------------------
#
# ``publish()`` validates the page it read back from the revision (``full_clean``: a query per
# foreign key), right after :func:`targets_exist` found most of the same rows. Inside one
# ``publish()`` (nothing is deleted in between) a key found there is not looked up again: only
# where the lookup would ask the same thing — a related model whose base manager is Django's
# plain one (so it sees every row the default manager sees) and a field without
# ``limit_choices_to`` — and every other check of the field (null, blank, choices, validators)
# still runs.

_publishing = Local()


def _known_to_exist(instance, field, value) -> bool:
    found = getattr(_publishing, "found", None)
    if not found or value is None or field.remote_field.parent_link or field.get_limit_choices_to():
        return False
    related = field.remote_field.model
    if related._meta.base_manager_name is not None:
        return False
    using = router.db_for_read(related, instance=instance)
    return (using, related, field.remote_field.field_name, value) in found


class FastPublish(OneReferenceIndexUpdate, AdminIndexOnContentSaves):
    @classmethod
    def from_serializable_data(cls, data, check_fks=True, strict_fks=False):
        if check_fks and targets_exist(cls, data):
            check_fks = False  # every key checked above, in one query per related model
        return super().from_serializable_data(data, check_fks=check_fks, strict_fks=strict_fks)

    def publish(self, *args, **kwargs):
        outer = getattr(_publishing, "found", None)
        _publishing.found = set()  # this publish's own (a receiver's publish starts afresh)
        try:
            return super().publish(*args, **kwargs)
        finally:
            _publishing.found = outer

    def clean_fields(self, exclude=None):
        """Django's, minus the existence query of a foreign key found moments ago (above)."""
        exclude = set(exclude or ())
        known = []
        for field in self._meta.fields if getattr(_publishing, "found", None) else ():
            if field.name in exclude or field.generated or not (field.is_relation and field.many_to_one):
                continue
            raw_value = getattr(self, field.attname)
            if field.blank and raw_value in field.empty_values:
                continue
            try:
                value = field.to_python(raw_value)
            except ValidationError:
                continue  # Django's own loop reports it
            if _known_to_exist(self, field, value):
                known.append((field, value))
        errors = {}
        try:
            super().clean_fields(exclude=exclude | {field.name for field, _value in known})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field, value in known:  # Field.clean without ForeignKey.validate's query
            try:
                Field.validate(field, value, self)
                field.run_validators(value)
                setattr(self, field.attname, value)
            except ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)
