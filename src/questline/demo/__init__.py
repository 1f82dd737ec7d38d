"""`questline demo`: a sample city hunt played by simulated teams on an embedded node."""
