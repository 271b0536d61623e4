// Deals in the side panel: the subscriber's deals with pipeline, stage,
// name and amount; add one, change its stage, name or amount.
import { api } from './api.js';
import { h, clear } from './dom.js';
import { t, lang } from './i18n.js';
import { canWrite } from './state.js';
import { report } from './ui.js';

let pipelines = null;

async function loadPipelines() {
  if (!pipelines) pipelines = api('GET', '/v1/pipelines').then((l) => l.items || []).catch((e) => { pipelines = null; throw e; });
  return pipelines;
}

function money(d) {
  if (!d.amount && d.amount !== 0) return '';
  try {
    return d.currency ? new Intl.NumberFormat(lang(), { style: 'currency', currency: d.currency }).format(d.amount) : String(d.amount);
  } catch (e) {
    return d.amount + ' ' + d.currency;
  }
}

/** dealsBox renders the #deals section for a subscriber and its chat. */
export function dealsBox(sub, conv) {
  const box = h('section', { id: 'deals' }, h('h3', { text: t('deals') }));
  const list = h('ul', { class: 'plain deals-list' });
  box.append(list);
  const load = async () => {
    try {
      const [ps, deals] = await Promise.all([loadPipelines(), api('GET', '/v1/deals', { query: { subscriber_id: sub.id, limit: 50 } })]);
      clear(list);
      const items = deals.items || [];
      if (!items.length) list.append(h('li', { class: 'muted', text: t('no_deals') }));
      for (const d of items) list.append(dealRow(d, ps, load));
      if (canWrite() && !box.querySelector('form')) box.append(addForm(ps, sub, conv, load));
    } catch (e) { report(e); }
  };
  load();
  return box;
}

function stageSelect(p, selected, attrs) {
  return h('select', attrs, ((p && p.stages) || []).map((s) => h('option', { value: s.id, text: s.name, selected: s.id === selected })));
}

function dealRow(d, ps, reload) {
  const p = ps.find((x) => x.id === d.pipeline_id);
  const stage = p && (p.stages || []).find((s) => s.id === d.stage_id);
  const li = h('li', { class: 'deal', 'data-deal-id': d.id },
    h('strong', { class: 'deal-name', text: d.name }), ' ', h('span', { class: 'deal-amount', text: money(d) }),
    h('div', { class: 'muted deal-stage', text: [p ? p.name : '', stage ? stage.name : ''].filter(Boolean).join(' → ') }));
  if (canWrite()) {
    li.append(h('button', { type: 'button', class: 'small link edit-deal', text: t('edit'), onclick: () => {
      const name = h('input', { name: 'name', value: d.name, maxlength: 200, 'aria-label': t('name') });
      const amount = h('input', { name: 'amount', type: 'number', min: 0, step: 'any', value: String(d.amount ?? ''), 'aria-label': t('amount') });
      const st = stageSelect(p, d.stage_id, { name: 'stage', 'aria-label': t('stage') });
      const form = h('form', { class: 'deal-form deal-edit' }, name, amount, st,
        h('button', { type: 'submit', class: 'small', text: t('save') }),
        h('button', { type: 'button', class: 'small link', text: t('cancel'), onclick: reload }));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const body = { name: name.value.trim(), stage_id: st.value };
        if (amount.value !== '') body.amount = Number(amount.value);
        try { await api('PATCH', '/v1/deals/' + encodeURIComponent(d.id), { body }); reload(); } catch (x) { report(x); }
      });
      clear(li).append(form);
      name.focus();
    } }));
  }
  return li;
}

function addForm(ps, sub, conv, reload) {
  const pipe = h('select', { name: 'pipeline', 'aria-label': t('pipeline') }, ps.map((p) => h('option', { value: p.id, text: p.name })));
  let stage = stageSelect(ps[0], '', { name: 'stage', 'aria-label': t('stage') });
  pipe.addEventListener('change', () => {
    const next = stageSelect(ps.find((p) => p.id === pipe.value), '', { name: 'stage', 'aria-label': t('stage') });
    stage.replaceWith(next);
    stage = next;
  });
  const name = h('input', { name: 'name', required: true, maxlength: 200, placeholder: t('deal_name'), 'aria-label': t('deal_name') });
  const amount = h('input', { name: 'amount', type: 'number', min: 0, step: 'any', placeholder: t('amount'), 'aria-label': t('amount') });
  const currency = h('input', { name: 'currency', maxlength: 3, placeholder: 'EUR', 'aria-label': t('currency'), class: 'currency' });
  const form = h('form', { id: 'add-deal', class: 'deal-form' }, pipe, stage, name, amount, currency, h('button', { type: 'submit', class: 'small', text: t('add_deal') }));
  if (!ps.length) return h('p', { class: 'muted', text: t('no_pipelines') });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { pipeline_id: pipe.value, name: name.value.trim(), subscriber_id: sub.id, conversation_id: conv.id };
    if (stage.value) body.stage_id = stage.value;
    if (amount.value !== '') body.amount = Number(amount.value);
    if (currency.value.trim()) body.currency = currency.value.trim().toUpperCase();
    try { await api('POST', '/v1/deals', { body }); form.reset(); reload(); } catch (x) { report(x); }
  });
  return form;
}
