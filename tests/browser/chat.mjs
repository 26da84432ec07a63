// tests/browser/chat.mjs — the chat page in a real browser: headless
// Chromium (Debian's /usr/bin/chromium) driven by playwright-core opens
// /chat.html of a running `swirl serve` in two pages, sends a message from
// one and waits for it in the other (and in the sender: everyone gets every
// broadcast), then saves a screenshot of the receiving page.
//
// usage: node chat.mjs DIR_WITH_NODE_MODULES BASE_URL SCREENSHOT_PATH
import { createRequire } from 'node:module';

const [dir, base, shot] = process.argv.slice(2);
const { chromium } = createRequire(dir + '/resolve-from-here.js')('playwright-core');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const a = await browser.newPage(), b = await browser.newPage();
  for (const p of [a, b]) {
    await p.goto(base + '/chat.html');
    await p.waitForFunction(() => document.getElementById('state').textContent === 'connected',
                            null, { timeout: 10000 });
  }
  const text = 'hello from page A ' + Date.now();
  await a.fill('#msg', text);
  await a.click('button');
  for (const [name, p] of [['B', b], ['A', a]]) {
    await p.waitForFunction((t) => [...document.querySelectorAll('#log p')]
                                       .some((e) => e.textContent === t), text, { timeout: 10000 });
    console.log('page ' + name + ' shows the message');
  }
  await b.screenshot({ path: shot });
  console.log('screenshot: ' + shot);
} finally {
  await browser.close();
}
