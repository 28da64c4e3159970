"""Bilingual content by field: ``name`` holds Simplified Chinese, ``name_en`` English.

Pages and models expose ``TranslatedField("name", "name_en")`` so templates write
``{{ obj.t_name }}`` and get the active language, falling back to the other one.
"""

from django.utils import translation


def is_english() -> bool:
    return (translation.get_language() or "zh-hans").startswith("en")


class TranslatedField:
    def __init__(self, zh_field: str, en_field: str):
        self.zh_field = zh_field
        self.en_field = en_field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        zh = getattr(instance, self.zh_field)
        en = getattr(instance, self.en_field)
        if is_english():
            return en or zh
        return zh or en
