"""The browser explorer (``ssisim explore``): a trainer's page, with Panel.

The state is plain Python and needs no browser: :mod:`~ssisim.explore.model`
(the page's settings, the scenario they make, the picture of finished runs,
the debate's presets, the scenario YAML export), :mod:`~ssisim.explore.runs`
(the runs, exactly as ``ssisim run`` makes them, with the seller's network
traced week by week) and :mod:`~ssisim.explore.room` (the room's form, the
participants' projected years and the leaderboard). Panel is imported by
:mod:`~ssisim.explore.figures` (Bokeh figures) and :mod:`~ssisim.explore.app`
(the page) only, which the command line imports when ``ssisim explore`` runs:
Panel is the optional ``explore`` extra (``pip install 'ssisim[explore]'``).
"""
