"""Spanish as the city's Spanish-speaking residents read numbers: Django's Spanish dates, but the decimal point and
thousands comma of the United States (and Mexico), `$1,234.50` and `12.5%`, as every bill, budget and form they
see writes them. The same figures then look the same in both languages, and a number typed into a form reads the
same way (lib.numbers and lib.money refuse `12,5` rather than guess)."""

from django.conf.locale.es.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
