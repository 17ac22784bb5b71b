// The dashboard in a real browser: Debian's chromium, headless, driven by puppeteer-core. Load the
// page, let two `drill run --submit` processes submit, see both rows appear without a reload, open
// the failed cell with the keyboard and find the diff, check that a step named `<script>...` is
// shown as text and never runs and that control characters are shown escaped; the matrix is one
// Tab stop with arrows, Home/End and Ctrl+Home/End; hide a machine and a drill and show them again;
// the header row and machine column stay in view when the matrix scrolls; a second dashboard past
// --max-dashboards waits and connects once the first goes; filter, export. It also takes the docs'
// screenshots (written to docs/ with TOOLKIT_UPDATE_SCREENSHOTS=1, else to a temporary directory).
import assert from "#assert";
import puppeteer from "puppeteer-core";
import { root, runToolkit, testIf } from "../_support/harness.ts";
import { serve, wrapReport } from "../_support/serve_process.ts";

/** Evaluated in the page: how many machine rows the matrix shows. */
const rowCount = `document.querySelectorAll("#matrix tbody tr").length`;

/**
 * A puppeteer action on an element, again if the dashboard re-rendered the element between
 * puppeteer finding it and acting on it (a live update replaces rows: "Node is detached from
 * document").
 */
async function onStable<T>(act: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await act();
    } catch (e) {
      if (attempt >= 5 || !/detached|not clickable/i.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const chromium = Deno.env.get("TOOLKIT_CHROMIUM") ?? "/usr/bin/chromium";

function browserMissing(): string | undefined {
  try {
    Deno.statSync(chromium);
    return undefined;
  } catch {
    return `no browser at ${chromium} (apt-get install chromium, or set TOOLKIT_CHROMIUM)`;
  }
}

/** Flags that keep chromium off the network: the machine has none beyond loopback. */
const quietFlags = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
];

testIf(
  browserMissing(),
  "dashboard in chromium: rows appear live, the failed cell shows its diff, <script> is text",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "drill-serve-browser-" });
    const shots = Deno.env.get("TOOLKIT_UPDATE_SCREENSHOTS") === "1" ? `${root}/docs` : dir;
    const srv = await serve(["127.0.0.1:0", "--db", `${dir}/class.db`, "--max-dashboards", "1"]);
    const browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      userDataDir: `${dir}/profile`,
      args: quietFlags,
    });
    try {
      const { dashboard, classToken } = srv.info as Record<string, string>;
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 720 });
      const problems: string[] = [];
      page.on("dialog", async (d) => {
        problems.push(`a ${d.type()} dialog opened: ${d.message()}`);
        await d.dismiss();
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e}`));
      page.on("request", (r) => {
        if (!r.url().startsWith(srv.base) && !r.url().startsWith("data:")) {
          problems.push(`request outside the collector: ${r.url()}`);
        }
      });
      await page.goto(dashboard);
      await page.waitForSelector("#live.on", { timeout: 15_000 });
      assert.equal(await page.evaluate(`document.getElementById("empty").hidden`), false);
      // The token left the address bar (a projector shows it); a cookie carries it now.
      assert.equal(await page.evaluate(() => location.search), "");
      await page.evaluate(
        () => ((globalThis as unknown as { marker: string }).marker = "same page"),
      );
      // Two lab machines submit at once.
      const submit = (machine: string, drills: string[]) =>
        runToolkit(
          ["drill", "run", ...drills, "--submit", srv.base, "--token", classToken, "--as", machine],
          { cwd: dir, timeoutMs: 60_000 },
        );
      const [a, b] = await Promise.all([
        submit("pc-a", ["tcp-echo", "same-subnet", "udp-echo"]),
        submit("pc-b", ["tcp-echo", `${root}/tests/fixtures/drill/script_title.yaml`, "udp-echo"]),
      ]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 1, b.stderr);
      await page.waitForFunction(`${rowCount} === 2`, { timeout: 15_000 });
      assert.equal(
        await page.evaluate(() => (globalThis as unknown as { marker: string }).marker),
        "same page",
        "the rows came without a reload",
      );
      const rows = await page.$$eval(
        "#matrix tbody tr",
        (trs) =>
          trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => c.textContent!.trim())),
      );
      assert.match(rows[0][0], /^pc-a/);
      assert.match(rows[1][0], /^pc-b/);
      const header = await page.$$eval("#matrix thead th", (ths) => ths.map((t) => t.textContent));
      assert.deepEqual(header.slice(0, 2), ["machine", "tcp-echo"]);
      assert.ok(header.includes("script-title") && header.includes("same-subnet"), header.join());
      // The failed cell, by keyboard: focus it, Enter.
      await onStable(() => page.focus('#matrix .cell.fail[data-machine="pc-b"]'));
      await page.keyboard.press("Enter");
      await page.waitForSelector("#details[open]");
      await page.waitForSelector("#history li");
      const dialog = await page.$eval("#details", (d) => d.textContent ?? "");
      assert.match(dialog, /pc-b · script-title · FAIL/);
      assert.match(dialog, /received bytes differ from the expected ones/);
      assert.match(dialog, /expected: "我是服务端"/);
      assert.match(dialog, /received: "我是客户端"/);
      assert.match(dialog, /first difference at byte 6/);
      // The step's name is on the page as text, and nothing in it ran.
      const title = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
      const shown = await page.$$eval("#dlg-body td div", (divs) => divs.map((d) => d.textContent));
      assert.ok(shown.includes(title), shown.join("\n"));
      assert.equal(
        await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned),
        undefined,
      );
      assert.equal(await page.$$eval("script", (s) => s.length), 1, "only the page's own script");
      assert.equal(await page.$$eval("#details img", (i) => i.length), 0);
      await page.screenshot({ path: `${shots}/drill-serve-details.png` });
      // Escape closes it and gives the focus back to the cell; arrows move between cells.
      await page.keyboard.press("Escape");
      await page.waitForSelector("#details:not([open])");
      assert.deepEqual(
        await page.evaluate(
          `[document.activeElement.dataset.machine, document.activeElement.dataset.drill]`,
        ),
        ["pc-b", "script-title"],
      );
      const focused =
        `[document.activeElement.dataset.machine, document.activeElement.dataset.drill]`;
      const row = (m: string) =>
        page.$$eval(
          `#matrix tbody tr[data-machine="${m}"] .cell`,
          (bs) => bs.map((b) => b.getAttribute("data-drill")),
        );
      const rowA = await row("pc-a"), rowB = await row("pc-b");
      // Home and End stay in the row; Ctrl+Home and Ctrl+End go to the ends of the matrix.
      await page.keyboard.press("Home");
      assert.deepEqual(await page.evaluate(focused), ["pc-b", rowB[0]]);
      await page.keyboard.press("End");
      assert.deepEqual(await page.evaluate(focused), ["pc-b", rowB.at(-1)]);
      await page.keyboard.down("Control");
      await page.keyboard.press("Home");
      await page.keyboard.up("Control");
      assert.deepEqual(await page.evaluate(focused), ["pc-a", rowA[0]]);
      await page.keyboard.press("ArrowDown");
      assert.deepEqual(await page.evaluate(focused), ["pc-b", rowA[0]]);
      await page.keyboard.down("Control");
      await page.keyboard.press("End");
      await page.keyboard.up("Control");
      assert.deepEqual(await page.evaluate(focused), ["pc-b", rowB.at(-1)]);
      // One Tab stop for the whole matrix: Tab from the last export link lands on the current
      // cell, the next Tab leaves the matrix, Shift+Tab comes back to the same cell.
      assert.equal(await page.$$eval('#matrix .cell[tabindex="0"]', (b) => b.length), 1);
      await onStable(() => page.focus("#export-junit"));
      await page.keyboard.press("Tab");
      assert.deepEqual(await page.evaluate(focused), ["pc-b", rowB.at(-1)]);
      await page.keyboard.press("Tab");
      assert.equal(
        await page.evaluate(`document.activeElement.classList.contains("cell")`),
        false,
        "one Tab leaves the matrix",
      );
      await page.keyboard.down("Shift");
      await page.keyboard.press("Tab");
      await page.keyboard.up("Shift");
      assert.deepEqual(await page.evaluate(focused), ["pc-b", rowB.at(-1)]);
      // Filters.
      await page.select("#filter-state", "fail");
      assert.equal(await page.$$eval("#matrix tbody tr", (t) => t.length), 1);
      await page.select("#filter-state", "all");
      await page.select("#filter-drill", "udp-echo");
      assert.deepEqual(
        await page.$$eval("#matrix thead th", (ths) => ths.map((t) => t.textContent)),
        ["machine", "udp-echo"],
      );
      await page.select("#filter-drill", "");
      // Export, with the page's own cookie.
      const exported = await page.evaluate(async () => {
        const xml = await fetch("/export.xml");
        const csv = await fetch("/export.csv");
        return [xml.status, await xml.text(), csv.status, await csv.text()] as const;
      });
      assert.equal(exported[0], 200);
      assert.match(exported[1], /<testsuite name="pc-b\.script-title" [^>]*failures="1"/);
      assert.equal(exported[2], 200);
      assert.match(exported[3], /^pc-b,script-title,fail,3,5,/m);
      // Control characters and a bidi override in a step's title are shown escaped.
      const crafted = JSON.parse(
        (await runToolkit([
          "drill",
          "run",
          "--json",
          `${root}/tests/fixtures/drill/wrong_expect.yaml`,
        ])).stdout,
      );
      crafted.drills[0].steps[0].title = "evil \x1b[2J title \u202eereht";
      const posted = await fetch(`${srv.base}/api/submit`, {
        method: "POST",
        headers: { authorization: `Bearer ${classToken}` },
        body: JSON.stringify(wrapReport(crafted, "pc-x")),
      });
      assert.equal(posted.status, 201);
      await posted.body?.cancel();
      await page.waitForFunction(`${rowCount} === 3`, { timeout: 15_000 });
      await onStable(() => page.click('#matrix .cell[data-machine="pc-x"]'));
      await page.waitForSelector("#details[open]");
      const titles = await page.$$eval(
        "#dlg-body td div",
        (divs) => divs.map((d) => d.textContent),
      );
      assert.ok(titles.includes("evil \\x1b[2J title \\u202eereht"), titles.join("\n"));
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(await page.$eval("#details", (d) => d.textContent!), /[\x1b\u202e]/);
      // The teacher hides the machine from the dialog: its row leaves, its data stays.
      await onStable(() => page.click("#hide-machine"));
      await page.waitForFunction(`${rowCount} === 2`, { timeout: 15_000 });
      await page.waitForSelector("#details:not([open])");
      assert.equal(await page.$eval("#hidden-list", (d) => d.hasAttribute("hidden")), false);
      assert.match(await page.$eval("#hidden-count", (d) => d.textContent!), /1 machine, 0 drills/);
      // A drill too, from a cell opened by keyboard, and shown again from the list.
      await onStable(() => page.focus('#matrix .cell[data-machine="pc-a"]'));
      await page.keyboard.press("Enter");
      await page.waitForSelector("#details[open]");
      const drillName = await page.$eval(
        "#hide-drill",
        (b) => b.textContent!.replace("Hide drill ", ""),
      );
      const hasColumn = (name: string) =>
        `[...document.querySelectorAll("#matrix thead th")].some((t) => t.textContent === ${
          JSON.stringify(name)
        })`;
      await onStable(() => page.click("#hide-drill"));
      await page.waitForFunction(`!${hasColumn(drillName)}`, { timeout: 15_000 });
      await page.evaluate(`document.getElementById("hidden-list").open = true`);
      await onStable(() =>
        page.click(`#hidden-items button[data-kind="drill"][data-name="${drillName}"]`)
      );
      await page.waitForFunction(hasColumn(drillName), { timeout: 15_000 });
      const view = await (await fetch(`${srv.base}/api/results`, {
        headers: { authorization: `Bearer ${srv.info.teacherToken}` },
      })).json();
      assert.deepEqual(view.hidden, { machines: ["pc-x"], drills: [] });
      assert.equal(view.submissions, 3, "hiding keeps every submission");
      // A third machine arrives while we watch; projector-sized type.
      const c = await submit("pc-c", ["tcp-echo", "same-subnet"]);
      assert.equal(c.code, 0, c.stderr);
      await page.waitForFunction(`${rowCount} === 3`, { timeout: 15_000 });
      const fontPx = await page.evaluate(
        "parseFloat(getComputedStyle(document.body).fontSize)",
      ) as number;
      assert.ok(fontPx >= 20, `body text ${fontPx}px`);
      await page.evaluate(`document.getElementById("hidden-list").open = false`);
      await new Promise((r) => setTimeout(r, 4500)); // the arrival highlight fades
      await page.screenshot({ path: `${shots}/drill-serve.png` });
      const png = await Deno.readFile(`${shots}/drill-serve.png`);
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
      // A second dashboard past --max-dashboards 1 gets 503, waits, and connects once the
      // first one is gone (EventSource alone would give up after a 503).
      const second = await browser.newPage();
      second.on("pageerror", (e) => problems.push(`page error: ${e}`));
      await second.setViewport({ width: 800, height: 450 });
      await second.goto(dashboard);
      await second.waitForFunction(
        `/^reconnecting in \\d+ s$/.test(document.getElementById("live").textContent)`,
        { timeout: 15_000 },
      );
      assert.equal(await second.$$eval("#matrix tbody tr", (t) => t.length), 3, "data shown");
      await page.close();
      await second.waitForSelector("#live.on", { timeout: 20_000 });
      // A small window: the matrix scrolls inside its box, its header row and machine column
      // stay where they are.
      const stuck = await second.evaluate(`(() => {
        const grid = document.getElementById("grid");
        const overflows = grid.scrollHeight > grid.clientHeight;
        grid.scrollTop = 1000;
        grid.scrollLeft = 1000;
        const box = grid.getBoundingClientRect();
        const head = document.querySelector("#matrix thead th:nth-child(2)").getBoundingClientRect();
        const side = document.querySelector("#matrix tbody tr:last-child th").getBoundingClientRect();
        return {
          overflows,
          scrolled: grid.scrollTop > 0,
          headAtTop: Math.abs(head.top - box.top) < 3,
          sideAtLeft: Math.abs(side.left - box.left) < 3,
        };
      })()`);
      assert.deepEqual(stuck, {
        overflows: true,
        scrolled: true,
        headAtTop: true,
        sideAtLeft: true,
      });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await srv.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
