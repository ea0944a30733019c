"""The SOP author's test kit: scenario files run against an SOP on a simulated clock.

``model`` loads scenario files strictly (file:line:col), ``runner`` plays them on a fresh database
each, ``coverage`` counts the states and transitions they exercised, ``report`` prints the results
and ``cli`` is the ``mno test`` command. See docs/scenarios.md.
"""
