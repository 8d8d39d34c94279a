/**
 * Stylesheets served by us (`/pages/checkout.css`, `/cardview/frame.css`): the CSP allows
 * styles from our origin only, never inline. Logical properties (`margin-inline-start`…) make
 * the same rules right in English (ltr) and Arabic (rtl).
 */

const BASE = `
*, *::before, *::after { box-sizing: border-box; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
label { display: block; font-weight: 600; margin-block-end: 0.3rem; }
input { width: 100%; font: inherit; font-size: 1rem; padding: 0.6rem 0.7rem; border: 1px solid #8a94a6; border-radius: 6px; background: #fff; color: #1b2330; }
input:focus { outline: 3px solid #7aa7ff; outline-offset: 1px; border-color: #2457c5; }
.field { margin-block-end: 0.9rem; }
.field.invalid input { border-color: #b3261e; }
.error { color: #b3261e; margin: 0.3rem 0 0; font-size: 0.9rem; }
.hint { color: #4a5568; margin: 0.3rem 0 0; font-size: 0.85rem; }
.row { display: flex; gap: 0.8rem; flex-wrap: wrap; }
.row .field { flex: 1 1 7rem; }
`

/** The hosted pages' stylesheet. */
export const CHECKOUT_CSS = `${BASE}
html { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", sans-serif; color: #1b2330; background: #f2f4f8; line-height: 1.45; }
body { margin: 0; }
[dir="rtl"] html, html[dir="rtl"] { font-family: "Noto Sans Arabic", "Segoe UI", Tahoma, "DejaVu Sans", sans-serif; }
.top { display: flex; justify-content: space-between; align-items: center; padding: 0.8rem 1.5rem; background: #13294b; color: #fff; }
.top .brand { font-weight: 700; letter-spacing: 0.05em; font-size: 1.1rem; }
.top a { color: #fff; }
.top a:focus { outline: 3px solid #ffd25a; outline-offset: 2px; }
.page { max-width: 40rem; margin: 1.5rem auto; padding: 0 1rem; display: grid; gap: 1.5rem; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 60rem) { .page.with-aside { max-width: 64rem; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); align-items: start; } }
main { background: #fff; border-radius: 10px; padding: 1.5rem; box-shadow: 0 1px 3px rgba(16, 24, 40, 0.12); }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.8rem; }
dl { margin: 0; }
dl > div { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; padding: 0.35rem 0; border-block-end: 1px solid #e4e8ef; }
dt { color: #4a5568; }
dd { margin: 0; font-weight: 600; text-align: end; }
.due dd { font-size: 1.25rem; color: #13294b; }
table { width: 100%; border-collapse: collapse; margin-block-start: 0.8rem; font-size: 0.92rem; }
th, td { text-align: start; padding: 0.35rem 0.4rem; border-block-end: 1px solid #e4e8ef; }
.field.short { max-width: 12rem; }
button.primary, a.button { display: inline-block; width: 100%; margin-block-start: 0.5rem; padding: 0.8rem 1rem; font: inherit; font-size: 1.05rem; font-weight: 700; color: #fff; background: #1f6f43; border: 0; border-radius: 8px; cursor: pointer; text-align: center; text-decoration: none; }
button.primary:hover, a.button:hover { background: #195a36; }
button.primary:focus, a.button:focus { outline: 3px solid #7aa7ff; outline-offset: 2px; }
.methods { list-style: none; margin: 0; padding: 0; }
.error-summary { border: 2px solid #b3261e; border-radius: 8px; padding: 0.7rem 1rem; margin-block-end: 1rem; background: #fdf3f2; }
.error-summary .error-title { font-weight: 700; margin: 0; }
.error-summary ul { margin: 0.4rem 0 0; padding-inline-start: 1.2rem; }
.error-summary a { color: #b3261e; }
.masked { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.sandbox { background: #fff8e1; border: 1px solid #e0b400; border-radius: 10px; padding: 1rem 1.2rem; font-size: 0.9rem; }
.sandbox h2 { margin-block-start: 0; font-size: 1rem; color: #6b4e00; }
.sandbox code { font-size: 0.85rem; }
.sandbox td { vertical-align: top; }
.recurring { margin-block: 1rem 0.5rem; padding: 0.8rem 1rem; border: 1px solid #9bb8e8; border-inline-start-width: 4px; border-radius: 8px; background: #f1f6ff; }
.recurring h2 { margin: 0 0 0.4rem; font-size: 1rem; color: #13294b; }
.recurring p { margin: 0 0 0.4rem; }
.recurring dl > div { padding: 0.25rem 0; border-block-end-color: #d7e3f7; }
.recurring dl > div:last-child { border-block-end: 0; }
.result.success h1 { color: #1f6f43; }
.result.failed h1 { color: #b3261e; }
.bottom { text-align: center; color: #4a5568; font-size: 0.85rem; padding: 1rem; }
`

/** The Card View frame's stylesheet. */
export const CARD_FRAME_CSS = `${BASE}
html { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", sans-serif; color: #1b2330; background: transparent; }
body { margin: 0; padding: 2px; }
label { font-size: 0.9rem; }
.field { margin-block-end: 0.7rem; }
.problem { color: #b3261e; font-weight: 600; margin: 0.5rem 0; }
.recurring-note { margin: 0.2rem 0 0.5rem; padding: 0.5rem 0.7rem; border-inline-start: 4px solid #2457c5; background: #f1f6ff; font-size: 0.9rem; }
.recurring { margin: 0.2rem 0 0.5rem; padding: 0.5rem 0.7rem; border-inline-start: 4px solid #2457c5; background: #f1f6ff; font-size: 0.9rem; }
.recurring h2 { margin: 0 0 0.3rem; font-size: 0.95rem; }
.recurring p { margin: 0 0 0.3rem; }
.recurring dl { margin: 0; }
.recurring dl > div { display: flex; justify-content: space-between; gap: 1rem; }
.recurring dd { margin: 0; font-weight: 600; }
`
