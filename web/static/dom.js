// DOM helpers. Everything the console shows is built with createElement and
// textContent: no HTML string is ever parsed, so data cannot become markup.

/**
 * h builds an element. props: class, text, on<event> handlers, value/checked/
 * disabled (set as properties), any other key as an attribute (never pass a
 * key taken from data). Children are nodes or strings (appended as text).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value' || k === 'checked' || k === 'disabled') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** clear empties an element. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** cp counts code points, as the server counts characters. */
export function cp(s) {
  return [...(s || '')].length;
}

/** safeApiPath returns p when it is a same-origin /v1/ path, else ''. */
export function safeApiPath(p) {
  if (typeof p !== 'string') return '';
  if (!/^\/v1\/[A-Za-z0-9_\-./]+$/.test(p) || p.includes('..') || p.startsWith('//')) return '';
  return p;
}

/** when formats a timestamp for people. */
export function when(ts, lang) {
  if (!ts) return '';
  const d = new Date(ts);
  if (isNaN(d)) return '';
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay
    ? d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString(lang, { dateStyle: 'short', timeStyle: 'short' });
}
