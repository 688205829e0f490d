// Loads the latent-space explorer page from a file in headless Chromium, hovers a point and checks the preview
// changes, clicks the plane and checks the decoded image changes, and takes a screenshot. Prints one JSON line, which
// also gives the title, heading and legend as the page shows them, and `hijacked`: what a hostile name's markup set.
import { chromium } from "playwright-core";

const [page_path, screenshot_path] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors = [];
  page.on("pageerror", error => errors.push(String(error)));
  await page.goto("file://" + page_path);
  const pixels = id => page.evaluate(id => {
    const canvas = document.getElementById(id);
    return Array.from(canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data).join(",");
  }, id);

  const blankPreview = await pixels("original");
  const first = await page.evaluate(() => window.explorer.screenPosition(0));
  await page.mouse.move(first.x, first.y);
  const hovered = await page.evaluate(() => document.getElementById("original").dataset.index);
  const firstPreview = await pixels("original");
  const last = await page.evaluate(() => window.explorer.screenPosition(window.explorer.points - 1));
  await page.mouse.move(last.x, last.y);
  const secondPreview = await pixels("original");

  const box = await page.locator("#plane").boundingBox();
  await page.mouse.click(box.x + 60, box.y + 60);
  const firstCell = await page.evaluate(() => document.getElementById("decoded").dataset.cell);
  const firstDecoded = await pixels("decoded");
  await page.mouse.click(box.x + box.width - 60, box.y + box.height - 60);
  const secondCell = await page.evaluate(() => document.getElementById("decoded").dataset.cell);
  const secondDecoded = await pixels("decoded");
  await page.screenshot({ path: screenshot_path, fullPage: true });

  console.log(JSON.stringify({
    errors,
    hovered,
    previewShown: firstPreview !== blankPreview,
    previewChanged: secondPreview !== firstPreview,
    cells: [firstCell, secondCell],
    decodedChanged: secondDecoded !== firstDecoded,
    caption: await page.locator("#decoded-caption").textContent(),
    note: await page.locator("#note").textContent(),
    title: await page.title(),
    heading: await page.locator("h1").textContent(),
    legend: await page.locator("#legend > div").allTextContents(),
    hijacked: await page.evaluate(() => window.hijacked ?? null),
  }));
} finally {
  await browser.close();
}
