// The admin's pages for the area's codes: its wards and its reason codes (national and its own).
// Each list leads to a record's page, from which it is renamed (relabelled), retired or
// reinstated, or deleted when nothing uses it.

import { api, ApiError } from './app-api.js';
import { banner, buttonLink, el, h2, input, link, p, radios, summaryList, table, warningText } from './app-ui.js';
import { actionButton, frame, put, questionForm, statusTag } from './app-admin-kit.js';

const ADMIN = ['admin'];

// ---- wards ---------------------------------------------------------------------------------------

async function wardOf(code) {
  const list = (await api('GET', '/v1/wards', { query: { all: 'true' } })).data.items;
  const ward = list.find((w) => w.code === code);
  if (!ward) throw new ApiError(404, { title: 'not found', status: 404 });
  return ward;
}

const wardPath = (code) => `/admin/wards/${encodeURIComponent(code)}`;
const wardApi = (code) => `/v1/wards/${encodeURIComponent(code)}`;

const IN_USE_WARD = (name) => `${name} cannot be deleted because referrals or placements name it. `
  + 'Retire it instead: it is then no longer offered for new records, and the records that name it keep it.';

export const wardRoutes = [
  {
    path: '/admin/wards',
    roles: ADMIN,
    title: 'Wards',
    async render(ctx) {
      const wards = (await api('GET', '/v1/wards', { query: { all: 'true' } })).data.items;
      const box = frame(ctx, { back: '#/admin', backText: 'Reference data', title: 'Wards', caption: 'Reference data', wide: true });
      put(box, 
        p('A referral, a placement and the statistics name one of these wards. A retired ward is no longer offered for new records; the records that name it keep it.'),
        buttonLink('#/admin/wards/new', 'Add a ward'),
        table({
          id: 'wards',
          caption: `${wards.length} ward${wards.length === 1 ? '' : 's'}`,
          head: ['Ward', 'Code', 'Status'],
          rows: wards.map((w) => [link(`#${wardPath(w.code)}`, w.name, { 'data-ward': w.code }), w.code, statusTag(w.active)]),
          empty: 'The area has no wards yet.',
        }));
    },
  },
  {
    path: '/admin/wards/new',
    roles: ADMIN,
    title: 'Add a ward',
    render(ctx) {
      const title = 'Add a ward';
      const box = frame(ctx, { back: '#/admin/wards', backText: 'Wards', title, caption: 'Wards' });
      put(box, questionForm(ctx, box, {
        title,
        fields: [
          input({ name: 'name', label: 'Name', hint: 'As people in the area know it, for example Castle', width: 20, spellcheck: false }),
          input({ name: 'code', label: 'Code', hint: 'How records and the API name it: lower-case letters, digits, - and _, at most 64, for example castle. It cannot be changed later.', width: 20, spellcheck: false }),
        ],
        submitText: 'Add ward',
        refusal: (err) => (err.status === 409 ? 'The area already has a ward with this code. If it was retired, reinstate it from its page.' : null),
        async onSubmit(v) {
          const r = await api('POST', '/v1/wards', { body: { code: v.code, name: v.name } });
          ctx.go('/admin/wards', banner('success', `Ward ${r.data.name} added`, p(`Its code is ${r.data.code}.`)));
        },
      }));
    },
  },
  {
    path: '/admin/wards/:code',
    roles: ADMIN,
    title: 'Ward',
    async render(ctx) {
      const w = await wardOf(ctx.params.code);
      const box = frame(ctx, { back: '#/admin/wards', backText: 'Wards', title: w.name, caption: 'Ward' });
      put(box, 
        summaryList([
          ['Name', w.name, { href: `#${wardPath(w.code)}/rename`, text: 'Change', hidden: 'name' }],
          ['Code', w.code],
          ['Status', statusTag(w.active)],
        ], { id: 'ward' }),
        w.active
          ? p('Retire the ward when it is no longer to be offered for new referrals and placements. The records that name it keep it, and you can reinstate it later.')
          : p('This ward is retired: it is not offered for new referrals and placements. Reinstate it to offer it again.'),
        actionButton(ctx, box, w.active ? 'Retire ward' : 'Reinstate ward', 'secondary', async () => {
          const r = await api('PATCH', wardApi(w.code), { body: { active: !w.active } });
          ctx.go('/admin/wards', banner('success', `Ward ${r.data.name} ${r.data.active ? 'reinstated' : 'retired'}`));
        }, w.name),
        h2('Delete the ward'),
        p('Only a ward added by mistake, that no referral or placement names, can be deleted.'),
        buttonLink(`#${wardPath(w.code)}/delete`, 'Delete ward', 'warning'));
    },
  },
  {
    path: '/admin/wards/:code/rename',
    roles: ADMIN,
    title: 'Change the ward\'s name',
    async render(ctx) {
      const w = await wardOf(ctx.params.code);
      const title = `Change the name of ${w.name}`;
      const box = frame(ctx, { back: `#${wardPath(w.code)}`, backText: w.name, title, caption: 'Ward' });
      put(box, questionForm(ctx, box, {
        title,
        fields: [input({ name: 'name', label: 'New name', value: w.name, width: 20, spellcheck: false })],
        submitText: 'Save name',
        async onSubmit(v) {
          const r = await api('PATCH', wardApi(w.code), { body: { name: v.name } });
          ctx.go('/admin/wards', banner('success', `Ward renamed ${r.data.name}`, p(`It was ${w.name}.`)));
        },
      }));
    },
  },
  {
    path: '/admin/wards/:code/delete',
    roles: ADMIN,
    title: 'Delete a ward',
    async render(ctx) {
      const w = await wardOf(ctx.params.code);
      const title = `Delete ${w.name}?`;
      const box = frame(ctx, { back: `#${wardPath(w.code)}`, backText: w.name, title, caption: 'Ward' });
      const retire = w.active ? actionButton(ctx, box, `Retire ${w.name} instead`, 'secondary', async () => {
        const r = await api('PATCH', wardApi(w.code), { body: { active: false } });
        ctx.go('/admin/wards', banner('success', `Ward ${r.data.name} retired`));
      }, title) : null;
      if (retire) retire.hidden = true;
      put(box, 
        warningText('Deleting a ward cannot be undone.'),
        p('A ward that any referral or placement names is never deleted: retire it instead.'),
        questionForm(ctx, box, {
          title,
          fields: [],
          submitText: 'Delete ward',
          kind: 'warning',
          extra: link(`#${wardPath(w.code)}`, 'Cancel'),
          refusal: (err) => (err.status === 409 ? IN_USE_WARD(w.name) : null),
          async onSubmit() {
            try {
              await api('DELETE', wardApi(w.code));
            } catch (err) {
              if (err instanceof ApiError && err.status === 409 && retire) retire.hidden = false;
              throw err;
            }
            ctx.go('/admin/wards', banner('success', `Ward ${w.name} deleted`));
          },
        }),
        retire);
    },
  },
];

// ---- reason codes --------------------------------------------------------------------------------

export const KINDS = [
  { value: 'reject', text: 'Rejection', hint: 'Why a coordinator rejects a referral' },
  { value: 'withdraw', text: 'Withdrawal', hint: 'Why a referral is withdrawn' },
  { value: 'warning', text: 'Warning', hint: 'Why a first or second warning is given' },
  { value: 'non_compliance', text: 'Non-compliance', hint: 'Why non-compliance is declared' },
];
const kindText = (k) => KINDS.find((x) => x.value === k)?.text ?? k;

const codeId = (c) => `${c.kind}.${c.code}`;
const codePath = (c) => `/admin/reason-codes/${encodeURIComponent(codeId(c))}`;
const codeApi = (c) => `/v1/reason-codes/${encodeURIComponent(codeId(c))}`;

async function reasonOf(id) {
  const dot = id.indexOf('.');
  const kind = id.slice(0, dot);
  const code = id.slice(dot + 1);
  if (dot < 0 || !KINDS.some((k) => k.value === kind)) throw new ApiError(404, { title: 'not found', status: 404 });
  const list = (await api('GET', '/v1/reason-codes', { query: { kind, all: 'true' } })).data.items;
  const rc = list.find((c) => c.code === code);
  if (!rc) throw new ApiError(404, { title: 'not found', status: 404 });
  return rc;
}

const source = (c) => (c.national ? 'national' : 'this area\'s own');

export const reasonRoutes = [
  {
    path: '/admin/reason-codes',
    roles: ADMIN,
    title: 'Reason codes',
    async render(ctx) {
      const codes = (await api('GET', '/v1/reason-codes', { query: { all: 'true' } })).data.items;
      const box = frame(ctx, { back: '#/admin', backText: 'Reference data', title: 'Reason codes', caption: 'Reference data', wide: true });
      put(box, 
        p('The reasons people choose from when they reject or withdraw a referral, give a warning or declare non-compliance. The national codes are every area\'s: you may retire one for this area. You may add codes of the area\'s own.'),
        buttonLink('#/admin/reason-codes/new', 'Add a reason code'),
        el('ul', { class: 'govuk-list' }, KINDS.map((k) => el('li', {}, link(`#/admin/reason-codes#kind-${k.value}`, `${k.text} reasons`, { 'data-jump': `kind-${k.value}` })))));
      // the list's own links move to a kind's section without changing the route
      box.querySelector('ul.govuk-list').addEventListener('click', (e) => {
        const a = e.target.closest('a[data-jump]');
        if (!a) return;
        e.preventDefault();
        document.getElementById(a.dataset.jump)?.scrollIntoView();
      });
      for (const k of KINDS) {
        const mine = codes.filter((c) => c.kind === k.value);
        put(box, 
          h2(`${k.text} reasons`, { id: `kind-${k.value}` }),
          table({
            id: `codes-${k.value}`,
            head: ['Reason', 'Status'],
            rows: mine.map((c) => [
              el('div', {}, link(`#${codePath(c)}`, c.label, { 'data-code': codeId(c) }),
                el('div', { class: 'govuk-hint govuk-!-margin-bottom-0' }, `${c.code}, ${source(c)}`)),
              statusTag(c.active)]),
            empty: 'No codes of this kind.',
          }),
          p(link(`#/admin/reason-codes/new?kind=${k.value}`, `Add a ${k.text.toLowerCase()} reason`)));
      }
    },
  },
  {
    path: '/admin/reason-codes/new',
    roles: ADMIN,
    title: 'Add a reason code',
    render(ctx) {
      const title = 'Add a reason code';
      const box = frame(ctx, { back: '#/admin/reason-codes', backText: 'Reason codes', title, caption: 'Reason codes' });
      const kind = ctx.query.get('kind');
      put(box, 
        p('The code is the area\'s own: only this area sees it and may cite it.'),
        questionForm(ctx, box, {
          title,
          fields: [
            radios({ name: 'kind', legend: 'What is it a reason for?', items: KINDS, value: KINDS.some((k) => k.value === kind) ? kind : null }),
            input({ name: 'label', label: 'Reason', hint: 'How it reads to people, for example Left the country', width: 'two-thirds', spellcheck: true }),
            input({ name: 'code', label: 'Code', hint: 'How records and the API name it: lower-case letters, digits and _, at most 64, for example left_country. It cannot be changed later.', width: 20, spellcheck: false }),
          ],
          submitText: 'Add reason code',
          refusal: (err) => (err.status === 409 ? 'This kind of reason already has this code, nationally or in this area.' : null),
          async onSubmit(v) {
            const r = await api('POST', '/v1/reason-codes', { body: { kind: v.kind || null, code: v.code, label: v.label } });
            ctx.go('/admin/reason-codes', banner('success', `${kindText(r.data.kind)} reason added: ${r.data.label}`, p(`Its code is ${r.data.code}.`)));
          },
        }));
    },
  },
  {
    path: '/admin/reason-codes/:id',
    roles: ADMIN,
    title: 'Reason code',
    async render(ctx) {
      const c = await reasonOf(ctx.params.id);
      const box = frame(ctx, { back: '#/admin/reason-codes', backText: 'Reason codes', title: c.label, caption: `${kindText(c.kind)} reason` });
      put(box, 
        summaryList([
          ['Reason', c.label, c.national ? null : { href: `#${codePath(c)}/relabel`, text: 'Change', hidden: 'reason' }],
          ['Code', c.code],
          ['For', kindText(c.kind)],
          ['From', c.national ? 'The national list' : 'This area\'s own'],
          ['Status', statusTag(c.active)],
        ], { id: 'reason-code' }),
        c.active
          ? p('Retire the code when it is no longer to be given for this area. The records that cite it keep it, and you can reinstate it later.')
          : p('This code is retired for the area: it is not offered for new decisions. Reinstate it to offer it again.'),
        actionButton(ctx, box, c.active ? 'Retire reason code' : 'Reinstate reason code', 'secondary', async () => {
          const r = await api('PATCH', codeApi(c), { body: { active: !c.active } });
          ctx.go('/admin/reason-codes', banner('success', `${kindText(r.data.kind)} reason ${r.data.active ? 'reinstated' : 'retired'}: ${r.data.label}`));
        }, c.label),
        c.national ? p('National codes are shared by every area: they cannot be relabelled or deleted.') : [
          h2('Delete the reason code'),
          p('Only a code added by mistake, that no referral or decision cites, can be deleted.'),
          buttonLink(`#${codePath(c)}/delete`, 'Delete reason code', 'warning'),
        ]);
    },
  },
  {
    path: '/admin/reason-codes/:id/relabel',
    roles: ADMIN,
    title: 'Change a reason',
    async render(ctx) {
      const c = await reasonOf(ctx.params.id);
      const title = 'Change how the reason reads';
      const box = frame(ctx, { back: `#${codePath(c)}`, backText: c.label, title, caption: `${kindText(c.kind)} reason ${c.code}` });
      put(box, questionForm(ctx, box, {
        title,
        fields: [input({ name: 'label', label: 'Reason', value: c.label, width: 'two-thirds', spellcheck: true })],
        submitText: 'Save reason',
        refusal: (err) => (err.status === 409 ? 'A national code cannot be relabelled.' : null),
        async onSubmit(v) {
          const r = await api('PATCH', codeApi(c), { body: { label: v.label } });
          ctx.go('/admin/reason-codes', banner('success', `${kindText(r.data.kind)} reason changed: ${r.data.label}`, p(`It was ${c.label}.`)));
        },
      }));
    },
  },
  {
    path: '/admin/reason-codes/:id/delete',
    roles: ADMIN,
    title: 'Delete a reason code',
    async render(ctx) {
      const c = await reasonOf(ctx.params.id);
      const title = `Delete the reason ${c.label}?`;
      const box = frame(ctx, { back: `#${codePath(c)}`, backText: c.label, title, caption: `${kindText(c.kind)} reason` });
      put(box, 
        warningText('Deleting a reason code cannot be undone.'),
        p('A code that any referral or decision cites is never deleted: retire it instead.'),
        questionForm(ctx, box, {
          title,
          fields: [],
          submitText: 'Delete reason code',
          kind: 'warning',
          extra: link(`#${codePath(c)}`, 'Cancel'),
          refusal: (err) => (err.status === 409 ? `${c.label} cannot be deleted because records cite it, or it is a national code. Retire it instead from its page.` : null),
          async onSubmit() {
            await api('DELETE', codeApi(c));
            ctx.go('/admin/reason-codes', banner('success', `${kindText(c.kind)} reason deleted: ${c.label}`));
          },
        }));
    },
  },
];
