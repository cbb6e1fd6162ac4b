"""Figures as Chinese text, the same on every surface: values, dates, names, a target's standing, and text kept plain.
No Streamlit here."""
