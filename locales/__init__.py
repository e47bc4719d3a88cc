"""Gettext catalogs (zh_CN, zh_TW, en) and the translator that reads them (locales.i18n)."""
