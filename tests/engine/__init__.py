"""Tests of the engine: scenarios, designs, streams, kernel against reference, closed forms."""
