/** Light, dark, or whatever the system prefers; the choice is remembered in this browser. */
export type Theme = 'auto' | 'light' | 'dark';

const KEY = 'mailsleuth.theme';
export const THEMES: Theme[] = ['auto', 'light', 'dark'];

export function loadTheme(): Theme {
  try {
    const saved = localStorage.getItem(KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'auto';
  } catch {
    return 'auto';
  }
}

export function applyTheme(theme: Theme): void {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  try {
    if (theme === 'auto') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // Without storage the choice lasts for this page only.
  }
}
