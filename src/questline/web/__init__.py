"""The web pages: play a hunt, watch its leaderboard, organize it (plain HTML, CSS and JS)."""
