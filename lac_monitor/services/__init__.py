"""User actions. Each is one short transaction: change + audit row + change-feed row."""
