"""The yardstick of benchmarks/page_speed.py: a bare Flask route rendering a small Jinja page, served
by gunicorn exactly like the site (`gunicorn benchmarks.bare_app:app`)."""

from flask import Flask, render_template_string

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></body></html>"""


@app.get("/")
def index():
    return render_template_string(PAGE, title="みどり川市", items=[f"項目 {n}" for n in range(10)])
