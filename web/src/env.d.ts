// Vite turns a CSS import into a stylesheet link; the import itself yields nothing.
declare module '*.css';
