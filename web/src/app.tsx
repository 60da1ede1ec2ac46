/**
 * The page: a header (lab badge, theme switch), the form, and the job whose permalink is in the
 * address bar. A server that wants a token gets a token field first.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, health, setToken, type Health } from './api.ts';
import { DiagnoseForm } from './form/DiagnoseForm.tsx';
import { JobPage } from './job/JobPage.tsx';
import { currentRoute, jobPath, type Route } from './route.ts';
import { applyTheme, loadTheme, THEMES, type Theme } from './theme.ts';

function ThemeSwitch() {
  const [theme, setTheme] = useState<Theme>(loadTheme());
  const next = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length]!;
  return (
    <button
      type="button"
      class="theme"
      aria-label={`Colour theme: ${theme}. Switch to ${next}`}
      onClick={() => {
        applyTheme(next);
        setTheme(next);
      }}
    >
      Theme: {theme}
    </button>
  );
}

function TokenForm({ onSaved }: { onSaved: () => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="token"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(value.trim());
        onSaved();
      }}
    >
      <label for="token">This server needs its API token</label>
      <input id="token" type="password" autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      <button type="submit">Use token</button>
    </form>
  );
}

export function App() {
  const [route, setRoute] = useState<Route>(currentRoute());
  const [server, setServer] = useState<Health | null>(null);
  const [needToken, setNeedToken] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const onPop = () => setRoute(currentRoute());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    health().then(
      (h) => {
        setServer(h);
        setNeedToken(false);
      },
      (err: unknown) => setNeedToken(err instanceof ApiError && err.status === 401),
    );
  }, [attempt]);

  function open(id: string) {
    history.pushState(null, '', jobPath(id));
    setRoute({ page: 'job', id });
  }

  return (
    <>
      <header class="top">
        <a href="/" class="brand">
          mailsleuth
        </a>
        {server?.lab && <span class="badge lab" title="Diagnoses run against the built-in lab, offline">lab: {server.lab}</span>}
        <ThemeSwitch />
      </header>
      <main>
        {needToken && <TokenForm onSaved={() => setAttempt((n) => n + 1)} />}
        <DiagnoseForm onSubmitted={open} compact={route.page === 'job'} />
        {route.page === 'job' && <JobPage key={route.id} id={route.id} />}
      </main>
    </>
  );
}
