"""What goes out: the generated province report, the terminal summary and the documentation site."""
