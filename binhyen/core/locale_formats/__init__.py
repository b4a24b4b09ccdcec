"""Django format modules (``FORMAT_MODULE_PATH``) for the two languages of the product.

``vi`` writes "1.234.567", "8,5", "15/06/2026" and "ngày 15 tháng 6 năm 2026"; ``en`` writes
"1,234,567", "8.5", "15/06/2026" and "15 June 2026". Short dates are day/month/year in both
languages so that a page read in English never swaps day and month. ``USE_THOUSAND_SEPARATOR``
stays off in settings (years and codes printed by ``{{ value }}`` would become "2.026");
``binhyen.core.formats.format_number`` and the ``number`` filter group digits explicitly.
The first date input format is ISO so that ``<input type="date">`` keeps working.
"""
