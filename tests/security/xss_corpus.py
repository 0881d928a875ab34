"""Classic XSS payloads. Each one that could run calls alert(N) with its own N (a dialog names the
payload) and every HTML element it would inject carries `data-xss`, so a page that parsed it as
markup instead of text is caught by the DOM scan even where nothing runs."""

from __future__ import annotations

HTML = [
    "<script>alert(1)</script>",
    '"><script data-xss>alert(2)</script>',
    "'><script data-xss>alert(3)</script>",
    "</title><script data-xss>alert(4)</script>",
    "</textarea><script data-xss>alert(5)</script>",
    "<img src=x onerror=alert(6) data-xss>",
    '"><img src=x onerror=alert(7) data-xss>',
    "<svg onload=alert(8) data-xss>",
    "<svg><script data-xss>alert(9)</script></svg>",
    '<iframe src="javascript:alert(10)" data-xss></iframe>',
    '<a href="javascript:alert(11)" data-xss>点我</a>',
    "javascript:alert(12)",
    '" onmouseover="alert(13)" autofocus onfocus="alert(13)" x="',
    "' onfocus='alert(14)' autofocus='",
    "<body onload=alert(15) data-xss>",
    "<details open ontoggle=alert(16) data-xss>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(17) data-xss>",
    '<a href="jav&#x09;ascript:alert(18)" data-xss>x</a>',
    "<img src=x:alert(19) onerror=eval(src) data-xss>",
    "<input autofocus onfocus=alert(20) data-xss>",
    '<object data="javascript:alert(21)" data-xss></object>',
    '<embed src="javascript:alert(22)" data-xss>',
    '<form action="javascript:alert(23)" data-xss><button>提交</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(24)" data-xss>',
    '"-alert(25)-"',
    "</script><script data-xss>alert(26)</script>",
    '<base href="javascript:alert(27)//" data-xss>',
    '<div hx-get="/" hx-trigger="load" hx-on::after-request="alert(28)" data-xss>htmx</div>',
    '<button hx-on:click="alert(29)" autofocus data-xss>htmx</button>',
    '<noscript><p title="</noscript><img src=x onerror=alert(30) data-xss>">',
    "<style>@import 'javascript:alert(31)';</style>",
    "%3Cscript%3Ealert(32)%3C/script%3E",
    "&lt;img src=x onerror=alert(33) data-xss&gt;",
    "<scr<script>ipt>alert(34)</scr</script>ipt>",
    '<IMG SRC="jav\tascript:alert(35);" data-xss>',
]

# Markdown: links and images whose target or attributes are the attack (KB articles are Markdown)
MARKDOWN = [
    "[点我](javascript:alert(41))",
    "![图](javascript:alert(42))",
    "[x](JaVaScRiPt:alert(43))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCg0NCk8L3NjcmlwdD4=)",
    '![x](x"onerror="alert(45))',
    "[x](javascript&#58;alert(46))",
    "[x][r46]\n\n[r46]: javascript:alert(47)",
    "<javascript:alert(48)>",
    '[x](https://example.com "title\\" onmouseover=\\"alert(49)")',
    "[<img src=x onerror=alert(50) data-xss>](https://example.com)",
]

# Template injection: if a template engine evaluated these, "tpl49tpl" or the config would show
TEMPLATE = ["tpl{{7*7}}tpl", "tpl${7*7}tpl", "tpl#{7*7}tpl", "tpl<%= 7*7 %>tpl", "{{config}}", "{{ ''.__class__ }}"]
EVALUATED = ("tpl49tpl", "SECRET_KEY", "test-secret", "&lt;class 'str'&gt;", "<class 'str'>")

SHORT = HTML + TEMPLATE  # one per title, name, option …
EVERYTHING = HTML + MARKDOWN + TEMPLATE
ALL_IN_ONE = "\n\n".join(EVERYTHING)  # for long text: bodies, messages, descriptions

# A page that parsed a payload as markup, or injected a handler or a javascript: URL
SCAN = """() => {
  const bad = [];
  const say = (el, why) => bad.push(why + ': ' + el.outerHTML.slice(0, 160));
  const url = v => v.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
  for (const el of document.querySelectorAll('*')) {
    for (const a of Array.from(el.attributes)) {
      const n = a.name.toLowerCase(), v = url(a.value);
      if (n === 'data-xss') say(el, 'injected element');
      else if (n.startsWith('on')) say(el, 'event handler attribute');
      else if (n.startsWith('hx-on')) say(el, 'htmx handler attribute');
      else if (n === 'srcdoc' || n === 'formaction') say(el, n);
      else if (['href', 'src', 'action', 'data', 'xlink:href', 'poster'].includes(n)
               && (v.startsWith('javascript:') || v.startsWith('vbscript:') || v.startsWith('data:text')))
        say(el, 'script URL');
    }
    const tag = el.tagName.toLowerCase();
    if (tag === 'script' && !el.src) say(el, 'inline script');
    if (['iframe', 'object', 'embed', 'base'].includes(tag)) say(el, tag);
    if (tag === 'meta' && el.httpEquiv && el.httpEquiv.toLowerCase() === 'refresh') say(el, 'meta refresh');
  }
  return bad;
}"""


def chunks(payloads: list[str], limit: int = 190) -> list[str]:
    """The payloads joined into values of at most `limit` characters (query strings, short fields)."""
    out, current = [], ""
    for p in payloads:
        if current and len(current) + 1 + len(p) > limit:
            out.append(current)
            current = ""
        current = f"{current} {p}" if current else p
    return [*out, current] if current else out
