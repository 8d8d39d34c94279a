/**
 * The console's stylesheet, served from /console/console.css (the CSP allows our own styles
 * only). Logical properties keep one set of rules right in English (ltr) and Arabic (rtl).
 */
export const CONSOLE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", sans-serif; color: #1b2330; background: #f2f4f8; line-height: 1.45; }
html[dir="rtl"] { font-family: "Noto Sans Arabic", "Segoe UI", Tahoma, "DejaVu Sans", sans-serif; }
body { margin: 0; }
a { color: #2457c5; }
a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid #7aa7ff; outline-offset: 2px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: center; padding: 0.7rem 1.5rem; background: #13294b; color: #fff; }
.top a { color: #fff; }
.top .brand { font-weight: 700; letter-spacing: 0.05em; font-size: 1.1rem; }
.top nav ul { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; list-style: none; margin: 0; padding: 0; }
.top nav a { text-decoration: none; padding: 0.2rem 0; border-block-end: 2px solid transparent; }
.top nav a[aria-current="page"] { border-block-end-color: #ffd25a; font-weight: 600; }
.top .who { margin-inline-start: auto; display: flex; gap: 1rem; align-items: center; font-size: 0.9rem; }
.top .who form { margin: 0; }
.top .who button { font: inherit; color: #fff; background: transparent; border: 1px solid #9fb3d9; border-radius: 6px; padding: 0.2rem 0.7rem; cursor: pointer; }
main { max-width: 78rem; margin: 1.5rem auto; padding: 0 1rem; }
.panel { background: #fff; border-radius: 10px; padding: 1.2rem 1.5rem; box-shadow: 0 1px 3px rgba(16, 24, 40, 0.12); margin-block-end: 1.2rem; overflow-x: auto; }
.grid { display: grid; gap: 1.2rem; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 70rem) { .grid { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
.grid .panel { margin: 0; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 0 0 0.8rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.5rem; }
table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
th, td { text-align: start; padding: 0.4rem 0.5rem; border-block-end: 1px solid #e4e8ef; vertical-align: top; }
th { color: #4a5568; font-weight: 600; }
td.number, th.number { text-align: end; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.2rem; margin: 0; }
dl.facts dt { color: #4a5568; }
dl.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: end; margin-block-end: 1rem; }
form.filters label, form.action label, form.signin label { display: block; font-weight: 600; font-size: 0.85rem; margin-block-end: 0.2rem; }
input, select { font: inherit; padding: 0.45rem 0.6rem; border: 1px solid #8a94a6; border-radius: 6px; background: #fff; color: #1b2330; }
input[type="text"], input[type="password"] { min-width: 16rem; }
form.filters input[type="text"] { min-width: 24rem; }
form.signin input { width: 100%; }
button { font: inherit; padding: 0.5rem 1rem; border-radius: 6px; border: 0; cursor: pointer; font-weight: 600; color: #fff; background: #2457c5; }
button.danger { background: #b3261e; }
button.good { background: #1f6f43; }
form.action { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: end; margin: 0.8rem 0 0; }
.actions { display: flex; flex-wrap: wrap; gap: 1rem; align-items: end; }
.notice { border-radius: 8px; padding: 0.7rem 1rem; margin-block-end: 1rem; }
.notice.ok { border: 2px solid #1f6f43; background: #eef8f2; }
.notice.error { border: 2px solid #b3261e; background: #fdf3f2; }
.notice ul { margin: 0.3rem 0 0; padding-inline-start: 1.2rem; }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; background: #e4e8ef; color: #1b2330; }
.badge.Active, .badge.Paid, .badge.Succss, .badge.approved, .badge.delivered, .badge.Succeeded { background: #d8f0e2; color: #14532d; }
.badge.Uncompleted, .badge.declined, .badge.Failed, .badge.failed, .badge.Canceled { background: #fbe0de; color: #7f1d1d; }
.badge.open, .badge.InProgress, .badge.Pending, .badge.pending, .badge.Running, .badge.Waiting, .badge.Draft, .badge.Authorize { background: #fdf0d0; color: #713f12; }
.paging { display: flex; gap: 1rem; margin-block-start: 1rem; }
.chart { width: 100%; max-width: 44rem; height: auto; display: block; }
.legend { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; list-style: none; padding: 0; margin: 0.3rem 0; font-size: 0.85rem; }
.numbers { margin-block-start: 0.5rem; font-size: 0.85rem; }
.hint { color: #4a5568; font-size: 0.85rem; }
.big { font-size: 1.6rem; font-weight: 700; }
pre { background: #f6f8fb; border: 1px solid #e4e8ef; border-radius: 6px; padding: 0.6rem; overflow-x: auto; font-size: 0.8rem; white-space: pre-wrap; overflow-wrap: anywhere; direction: ltr; text-align: left; }
code, .ltr { direction: ltr; unicode-bidi: embed; }
.signin { max-width: 30rem; }
.signin .panel form { display: grid; gap: 0.6rem; }
`
