import type { Page } from '@playwright/test';

/**
 * A screenshot the README or docs/screenshots shows: written there only when asked
 * (LATENTSCAPE_SCREENSHOTS=1), so that a test run changes no file of the repository.
 */
export async function docScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.LATENTSCAPE_SCREENSHOTS === '1') await page.screenshot({ path: `docs/screenshots/${name}` });
}
