"""Pages of the tips app, one module per audience.

- ``public``: intake and follow-up for citizens (no login, no-store, the intake guard);
- ``officers``: the inbox, the tip page, contact and media, the app's home;
- ``actions``: one view per officer action on a tip (``tips:<action>``);
- ``zalo``: the Zalo OA webhook and the administrators' delivery queue.
"""
