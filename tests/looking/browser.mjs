// The report and inspect pages in a real browser: headless chromium (the
// system's) driven by playwright-core (tests/looking/browser_test.sh runs
// it and prepares what it checks against). Hand-written, no test framework.
// usage: node browser.mjs SPEC.json   (keys below, written by browser_test.sh)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { chromium } = createRequire(spec.npmdir + '/')('playwright-core');
let failed = 0;
function check(name, want, got) {
  const w = JSON.stringify(want), g = JSON.stringify(got);
  if (w === g) console.log(`ok - ${name}`);
  else { failed++; console.log(`not ok - ${name}: expected [${w.slice(0, 300)}] got [${g.slice(0, 300)}]`); }
}

const browser = await chromium.launch({ executablePath: spec.chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });

  async function open(url) {
    const page = await ctx.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push('request failed: ' + r.url()));
    await page.goto(url);
    await page.waitForSelector('body[data-done]');
    return { page, errors };
  }
  const done = (page) => page.evaluate(() => Number(document.body.getAttribute('data-done')));
  async function settled(page, before) {
    await page.waitForFunction((n) => Number(document.body.getAttribute('data-done')) > n, before);
  }
  const column = (page, i) => page.$$eval('#evtable tbody tr', (rows, i) => rows.map((r) => r.cells[i].textContent), i);

  // ---- the report: a file, opened as a file ----
  {
    const { page, errors } = await open('file://' + spec.report);
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    const execs = await page.$$eval('#tree li.exec code.exe', (l) => l.map((e) => e.textContent));
    for (const e of spec.execs) check(`report: the tree shows exec ${e}`, true, execs.includes(e));
    check('report: one exec element per exec', spec.execs.length, execs.length);
    const visible = await page.$$eval('#tree li.exec', (l) => l.filter((e) => e.getClientRects().length > 0).length);
    check('report: every exec visible (tree open)', spec.execs.length, visible);
    check('report: one timeline bar per second of the span', spec.seconds, await page.locator('#tl g.bar').count());
    const heights = await page.$$eval('#tl g.bar', (l) => l.map((g) => [...g.querySelectorAll('rect')].reduce((s, r) => s + r.getBBox().height, 0)));
    check('report: every bar drawn', spec.seconds, heights.filter((h) => h > 0).length);
    await page.screenshot({ path: spec.outdir + '/report.png', fullPage: false });
    // a process's events button narrows the table to its pid
    const b0 = await done(page);
    await page.locator(`#tree .proc[data-pid="${spec.pick_pid}"]:has(> ul.execs li.exec)`).first().locator('button.pev').first().click();
    await settled(page, b0);
    const pids = await column(page, 3);
    check('report: click on a process: its events only', true, pids.length > 0 && pids.every((p) => p === String(spec.pick_pid)));
    // the collapsible tree: a click on a summary folds it, no script needed
    const det = page.locator('#tree details.proc').first();
    await det.locator('summary .comm').first().click();
    check('report: a process folds', false, await det.evaluate((d) => d.open));
    check('report: no request outside the page', [], requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:')));
    check('report: no console errors', [], errors);
    await page.close();
  }

  // ---- inspect: the live page ----
  {
    const { page, errors } = await open(spec.url);
    for (const q of spec.queries) {
      const before = await done(page);
      await page.fill('#expr', q.expr);
      await page.press('#expr', 'Enter');
      await settled(page, before);
      if (q.error_column) {
        const err = await page.locator('#qerror');
        check(`inspect: '${q.expr}': the error is shown`, true, await err.isVisible());
        const text = await err.textContent();
        check(`inspect: '${q.expr}': with its column`, `column ${q.error_column}:`, text.slice(0, `column ${q.error_column}:`.length));
        check(`inspect: '${q.expr}': no rows`, 0, (await column(page, 0)).length);
      } else {
        check(`inspect: '${q.expr}': rows = kcap filter's seqs (${q.seqs.length})`, q.seqs, await column(page, 0));
        check(`inspect: '${q.expr}': no error shown`, false, await page.locator('#qerror').isVisible());
      }
    }
    // the pager: page 2 of every event
    let before = await done(page);
    await page.fill('#expr', '');
    await page.press('#expr', 'Enter');
    await settled(page, before);
    before = await done(page);
    await page.click('#next');
    await settled(page, before);
    check('inspect: next page = kcap filter\'s events 101..200', spec.page2, await column(page, 0));
    // the brush over one second of the timeline: that second's events
    await page.locator('#tl').scrollIntoViewIfNeeded();
    const box = await page.locator('#tl').boundingBox();
    const bin = spec.brush_bin, x = box.x + box.width * (bin + 0.5) / spec.seconds, y = box.y + box.height / 2;
    before = await done(page);
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 1, y);
    await page.mouse.up();
    await settled(page, before);
    check('inspect: the brush: that second\'s events', spec.brush_seqs, await column(page, 0));
    // a click on a process: its events, from the server
    before = await done(page);
    await page.locator(`#tree .proc[data-pid="${spec.pick_pid}"]:has(> ul.execs li.exec)`).first().locator('button.pev').first().click();
    await settled(page, before);
    check(`inspect: click on process ${spec.pick_pid}: its events`, spec.pick_seqs, await column(page, 0));
    await page.fill('#expr', 'type = execve');
    before = await done(page);
    await page.click('#qclear');
    await settled(page, before);
    await page.fill('#expr', spec.queries[0].expr);
    before = await done(page);
    await page.press('#expr', 'Enter');
    await settled(page, before);
    await page.evaluate(() => document.getElementById('timeline').scrollIntoView());
    await page.screenshot({ path: spec.outdir + '/inspect.png', clip: { x: 0, y: 0, width: 1280, height: 640 } });
    check('inspect: no console errors', [], errors);
    await page.close();
  }
} catch (e) {
  failed++;
  console.log('not ok - browser run: ' + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);
