// php/tests/chat_browser.mjs — the PHP chat room (examples/php/chat) in a
// real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core opens the page the server serves in two pages, sends a
// message from one, waits for it in both (with its sender's name), then
// closes the second page and waits for the first to be told. Prints what
// it saw, one line per step, and saves a screenshot of the first page.
// Used by 169_ws_chat_browser.phpt (as tests/browser/chat.mjs is by the C
// chat's test).
//
// usage: node chat_browser.mjs DIR_WITH_NODE_MODULES BASE_URL SCREENSHOT_PATH
import { createRequire } from 'node:module';

const [dir, base, shot] = process.argv.slice(2);
const { chromium } = createRequire(dir + '/resolve-from-here.js')('playwright-core');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const T = { timeout: 10000 };
try {
  const a = await browser.newPage(), b = await browser.newPage();
  const names = [];
  for (const p of [a, b]) {
    await p.goto(base + '/');
    await p.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, T);
    // the server's welcome names us
    await p.waitForFunction(() => [...document.querySelectorAll('#log .note')]
                                      .some((e) => e.textContent.startsWith('you are ')), null, T);
    names.push(await p.evaluate(() => [...document.querySelectorAll('#log .note')]
                                          .find((e) => e.textContent.startsWith('you are '))
                                          .textContent.slice(8)));
  }
  console.log('both pages connected, named apart: ' + (names[0] !== names[1]));
  await a.waitForFunction((n) => [...document.querySelectorAll('#log .note')]
                                     .some((e) => e.textContent === n + ' joined'), names[1], T);
  console.log('page A was told that B joined');
  const text = 'hello from page A, <b>not bold</b> ' + Date.now();
  await a.fill('#msg', text);
  await a.click('button');
  for (const [name, p, cls] of [['B', b, 'msg'], ['A', a, 'msg me']]) {
    await p.waitForFunction(([t, who, c]) => [...document.querySelectorAll('#log p')].some(
      (e) => e.className === c && e.querySelector('.text').textContent === t &&
             e.querySelector('.who').textContent === who + ':'), [text, names[0], cls], T);
    await p.waitForFunction(() => document.getElementById('count').textContent === '2 people here',
                            null, T);
    console.log('page ' + name + ' shows the message from A as text, and 2 people here');
  }
  await b.close();
  await a.waitForFunction((n) => [...document.querySelectorAll('#log .note')]
                                     .some((e) => e.textContent === n + ' left'), names[1], T);
  await a.waitForFunction(() => document.getElementById('count').textContent === '1 person here',
                          null, T);
  console.log('page A was told that B left: 1 person here');
  await a.screenshot({ path: shot });
  console.log('screenshot saved');
} finally {
  await browser.close();
}
