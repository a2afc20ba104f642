"""A member's own LinkedIn data export, read into counts and classes (``ssisim import``).

A data-in layer: it may import the leaves and :mod:`ssisim.scenario`;
:mod:`ssisim.population` and :mod:`ssisim.experiments` may import it. Nothing
personal leaves it: names, emails, URLs, companies and message text are read
in memory and only counts and classes are returned or written.
"""
