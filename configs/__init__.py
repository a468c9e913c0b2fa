"""Built-in scenarios (TOML) and the real data they use (CSV); see SOURCES.md."""
