"""The scenario: its schema, YAML loading and error messages, the built-in strategies and the members' habits.

The only validator: everything downstream trusts a :class:`~ssisim.scenario.schema.Scenario`.
"""
