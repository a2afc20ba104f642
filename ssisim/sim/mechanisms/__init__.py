"""The model's mechanisms, one small module each, as functions over a run context.

- :mod:`~ssisim.sim.mechanisms.content`: posts, articles, shares, comments, reactions and their reach;
- :mod:`~ssisim.sim.mechanisms.prospecting`: searches, profile views, being viewed;
- :mod:`~ssisim.sim.mechanisms.invitations`: inviting, acceptances, answering the inbox;
- :mod:`~ssisim.sim.mechanisms.messages`: warm and cold messages, replies;
- :mod:`~ssisim.sim.mechanisms.leads`: leads by origin (inbound, outbound, introductions, existing);
- :mod:`~ssisim.sim.mechanisms.pitches`: pitches received;
- :mod:`~ssisim.sim.mechanisms.restrictions`: the platform blocking invitations.

Each takes a :class:`~ssisim.sim.context.RunContext` first; the parameters
are described in ``docs/model.md`` and ``docs/debate.md``.
"""
