"""The intranet web widget: a web component any intranet page adds with one <script> tag."""
