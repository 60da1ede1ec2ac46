import { render } from 'preact';
import { App } from './app.tsx';
import { applyTheme, loadTheme } from './theme.ts';
import './styles.css';

applyTheme(loadTheme());
render(<App />, document.getElementById('app')!);
