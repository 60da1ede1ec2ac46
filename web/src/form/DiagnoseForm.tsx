/**
 * The domain and its bounces: a drop zone (or file picker) for .eml files and a paste box for a
 * bounce's raw text or headers. Nothing is read here: the files go to the server as they are.
 */
import { useState } from 'preact/hooks';
import { submitDiagnosis } from '../api.ts';

const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** `compact` once a report is on the page: the bounce box folds away so the report comes first. */
export function DiagnoseForm({ onSubmitted, compact }: { onSubmitted: (id: string) => void; compact: boolean }) {
  const [domain, setDomain] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [pasted, setPasted] = useState('');
  const [noProbe, setNoProbe] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function addFiles(list: FileList | null | undefined) {
    const added = [...(list ?? [])];
    const tooBig = added.find((f) => f.size > MAX_FILE_BYTES);
    if (tooBig) setError(`${tooBig.name} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    setFiles((current) => [...current, ...added.filter((f) => f.size <= MAX_FILE_BYTES)]);
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer?.files.length) addFiles(e.dataTransfer.files);
    else {
      const text = e.dataTransfer?.getData('text/plain');
      if (text) setPasted((p) => (p ? `${p}\n\n${text}` : text));
    }
  }

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const id = await submitDiagnosis({ domain: domain.trim(), files, pasted: pasted.trim() ? [pasted] : [], noProbe });
      // The bounces went with this job; the next one starts clean.
      setFiles([]);
      setPasted('');
      onSubmitted(id);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const bounces = (
    <>
      <div
        class={dragging ? 'drop dragging' : 'drop'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="drop-zone"
      >
        <label for="files">Bounces (.eml): drop them here, or choose files</label>
        <input
          id="files"
          type="file"
          multiple
          accept=".eml,.txt,.msg,message/rfc822,text/plain"
          onChange={(e) => {
            addFiles((e.target as HTMLInputElement).files);
            (e.target as HTMLInputElement).value = '';
          }}
        />
        {files.length > 0 && (
          <ul class="attached" aria-label="Attached bounces">
            {files.map((f, i) => (
              <li key={`${f.name}-${i}`}>
                {f.name} <span class="muted">({Math.ceil(f.size / 1024)} kB)</span>{' '}
                <button type="button" onClick={() => setFiles(files.filter((_, j) => j !== i))} aria-label={`Remove ${f.name}`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <label for="paste">…or paste a bounce (the whole message, or just its headers)</label>
        <textarea id="paste" rows={4} spellcheck={false} value={pasted} onInput={(e) => setPasted((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="field inline">
        <input id="noprobe" type="checkbox" checked={noProbe} onChange={(e) => setNoProbe((e.target as HTMLInputElement).checked)} />
        <label for="noprobe">DNS only (do not connect to the mail and web servers)</label>
      </div>
    </>
  );

  return (
    <form class={compact ? 'diagnose compact' : 'diagnose'} onSubmit={submit} aria-labelledby="form-h">
      <h2 id="form-h">Why is mail not getting through?</h2>
      <div class="row">
        <div class="field grow">
          <label for="domain">Domain</label>
          <input
            id="domain"
            name="domain"
            type="text"
            required
            autocomplete="off"
            spellcheck={false}
            placeholder="example.com"
            value={domain}
            onInput={(e) => setDomain((e.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Diagnose'}
        </button>
      </div>
      {compact && files.length === 0 && !pasted ? (
        <details>
          <summary>Add bounces and options</summary>
          {bounces}
        </details>
      ) : (
        bounces
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
