import { useEffect, useState } from 'preact/hooks';
import { api, formatBytes, formatTime, upload } from '../api';
import { EmptyState, ErrorLine } from '../parts/notice';

interface Listing { files: { name: string; size: number; modifiedAt: number }[]; usedBytes: number; quotaBytes: number }

export function FilesPage(props: { onAuthLost: (e: unknown) => void }) {
  const [listing, setListing] = useState<Listing | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fail = (e: unknown): void => {
    setError(e);
    props.onAuthLost(e);
  };
  const load = (): Promise<void> => api<Listing>('GET', '/api/files').then(setListing, fail);
  useEffect(() => void load(), []);

  const onUpload = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      await upload(`/api/files?name=${encodeURIComponent(file.name)}`, file, setProgress);
      form.reset();
    } catch (e) {
      fail(e);
    } finally {
      setProgress(null);
      await load();
    }
  };
  const remove = async (name: string): Promise<void> => {
    await api('DELETE', `/api/files/${encodeURIComponent(name)}`).catch(fail);
    await load();
  };

  return (
    <section aria-labelledby="files-title">
      <h1 id="files-title">Files</h1>
      <p class="lead">Your workspace: the only files a model's tools may read for you, and only with the firewall's say-so.</p>
      {listing && (
        <div class="quota">
          <label for="quota">Space used: {formatBytes(listing.usedBytes)} of {formatBytes(listing.quotaBytes)}</label>
          <meter id="quota" min={0} max={listing.quotaBytes} value={listing.usedBytes} high={listing.quotaBytes * 0.9} />
        </div>
      )}
      <form class="row card" onSubmit={(e) => void onUpload(e)}>
        <label for="file">Add a file</label>
        <input id="file" name="file" type="file" required />
        <button type="submit" disabled={progress !== null}>Upload</button>
        {progress !== null && <progress max={1} value={progress} aria-label="Upload progress" />}
      </form>
      <ErrorLine error={error} />
      {listing && listing.files.length === 0 && (
        <EmptyState title="Your workspace is empty">Upload notes or documents here; then ask a model in Chat to read one, by name.</EmptyState>
      )}
      {listing && listing.files.length > 0 && (
        <table>
          <caption class="sr-only">Workspace files</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Changed</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {listing.files.map((f) => (
              <tr key={f.name}>
                <td>{f.name}</td><td>{formatBytes(f.size)}</td><td>{formatTime(f.modifiedAt)}</td>
                <td><button type="button" class="quiet small danger" aria-label={`Delete ${f.name}`} onClick={() => void remove(f.name)}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
