"""Rendering: terminal tables and chains, HTML pages, and file exports; views never query."""
