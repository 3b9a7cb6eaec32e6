import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api';
import type { EncodedImage, Images } from '../../../shared/contract';
import { AppState } from '../../shell/app.svelte';
import { fakeApi } from '../../shell/testing/fake-api';
import { mnist, model } from '../../shell/testing/fixtures';
import WithSlices from '../../shell/testing/WithSlices.svelte';
import DroppedPanel from './DroppedPanel.svelte';

const image: Images = { count: 1, height: 2, width: 2, channels: 1, pixels: new Uint8Array([0, 64, 128, 255]) };

function encoded(name: string): EncodedImage {
  return {
    name,
    mu: Float32Array.of(0.5, -1),
    sigma: Float32Array.of(0.1, 0.2),
    input: image,
    reconstruction: image,
    reconNats: 81.25,
    rmse: 12.5,
    nearest: { ids: Int32Array.of(3, 1, 2), distances: Float32Array.of(0.1, 0.2, 0.3) },
  };
}

function setup(kind: 'pca' | 'umap' = 'pca') {
  const fake = fakeApi({
    encodeImage: (a) => {
      if (a.name === 'notes.txt') throw new ApiError('not-an-image', '"notes.txt" cannot be encoded: not an image (unrecognised or unsupported format)');
      return encoded(a.name);
    },
    decode: () => image,
    nearest: () => ({ ids: new Int32Array(0), distances: new Float32Array(0) }),
    atlas: () => ({ page: 0, first: 0, count: 4, cols: 2, rows: 2, thumb: 1, channels: 1, pixels: new Uint8Array(4) }),
  });
  const app = new AppState(fake.api, () => true);
  app.dataset = mnist();
  app.model = model({ latentDim: 2 });
  app.view.linear = {
    kind: 'pca',
    latentDim: 2,
    mean: [0, 0],
    axes: [
      [1, 0],
      [0, 1],
      [0, 0],
    ],
    explained: [0.5, 0.5, 0],
  };
  const view = Float32Array.of(0, 0, 0, 2, 0, 0, 0, 4, 0, 10, 10, 10);
  app.view.layout = {
    ...{ source: 'embeddings', kind, count: 4, latentDim: 2, view, mu: new Float32Array(8), ids: Int32Array.of(0, 1, 2, 3), labels: new Int32Array(4) },
    ...{ labelNames: [], version: 1, animateMs: 0, frame: false },
  };
  render(WithSlices, { props: { app, component: DroppedPanel } });
  return { app, fake };
}

const fileInput = (): HTMLInputElement => screen.getByTestId('image-drop').querySelector('input[type=file]') as HTMLInputElement;
const png = (name: string): File => new File([new Uint8Array([137, 80, 78, 71])], name, { type: 'image/png' });

describe('DroppedPanel', () => {
  it('a chosen file is sent to encodeImage and shown with its reconstruction, error, μ, σ and neighbours', async () => {
    const { fake } = setup();
    expect(screen.getByTestId('dropped-count').textContent).toBe('0');
    await fireEvent.change(fileInput(), { target: { files: [png('cat.png')] } });
    await waitFor(() => expect(screen.getByTestId('dropped-count').textContent).toBe('1'));
    const sent = fake.argsOf('encodeImage');
    expect(sent.map((a) => [a.name, Array.from(a.bytes)])).toEqual([['cat.png', [137, 80, 78, 71]]]);
    expect(screen.getByTestId('dropped-error').textContent).toBe('Error 81.3 nats · RMSE 12.5 of 255');
    expect(screen.getByTestId('dropped-mu').textContent).toBe('μ = [0.500, -1.000]');
    expect(screen.getByTestId('dropped-sigma').textContent).toBe('σ = [0.100, 0.200]');
    const neighbours = screen.getByTestId('dropped-nearest').querySelectorAll('button');
    expect(Array.from(neighbours, (b) => b.getAttribute('aria-label'))).toEqual([
      'training image 3, distance 0.10',
      'training image 1, distance 0.20',
      'training image 2, distance 0.30',
    ]);
  });

  it('takes files dropped on it, and image files pasted anywhere outside a text field', async () => {
    const { fake } = setup();
    await fireEvent.drop(screen.getByTestId('image-drop'), { dataTransfer: { files: [png('dropped.png')] } });
    await waitFor(() => expect(screen.getByTestId('dropped-count').textContent).toBe('1'));
    const paste = (target: EventTarget): void => {
      const event = new Event('paste', { bubbles: true, cancelable: true });
      Object.defineProperty(event, 'clipboardData', { value: { files: [png('pasted.png'), new File(['x'], 'notes.txt', { type: 'text/plain' })] } });
      target.dispatchEvent(event);
    };
    paste(window);
    await waitFor(() => expect(screen.getByTestId('dropped-count').textContent).toBe('2'));
    // In a text field a paste is the field's.
    const field = document.body.appendChild(document.createElement('input'));
    paste(field);
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.argsOf('encodeImage').map((a) => a.name)).toEqual(['dropped.png', 'pasted.png']);
    field.remove();
  });

  it('a file that is not an image gets the reason as a notice, and the others are still encoded', async () => {
    const { app } = setup();
    await fireEvent.change(fileInput(), { target: { files: [new File(['hello'], 'notes.txt', { type: 'text/plain' }), png('dog.png')] } });
    await waitFor(() => expect(screen.getByTestId('dropped-count').textContent).toBe('1'));
    expect(app.notices.map((n) => [n.level, n.message])).toEqual([
      ['error', '"notes.txt" cannot be encoded: not an image (unrecognised or unsupported format)'],
    ]);
  });

  it('a file over the size limit is refused in the page, never sent', async () => {
    const { app, fake } = setup();
    const big = new File([new Uint8Array(5 * 1024 * 1024 + 1)], 'huge.png', { type: 'image/png' });
    await fireEvent.change(fileInput(), { target: { files: [big] } });
    await waitFor(() => expect(app.notices.length).toBe(1));
    expect(app.notices[0].message).toBe('"huge.png" is 5.0 MB: an image brought into the view may be at most 5.0 MB');
    expect(fake.argsOf('encodeImage')).toEqual([]);
  });

  it('is placed by projecting μ in a linear view, and at its neighbours’ mean place under UMAP', async () => {
    const pca = setup('pca');
    await fireEvent.change(fileInput(), { target: { files: [png('a.png')] } });
    await waitFor(() => expect(pca.app.dropped.items.length).toBe(1));
    expect(pca.app.dropped.positions.map((p) => p.at.map((v) => v + 0))).toEqual([[0.5, -1, 0]]);
    pca.app.view.layout = { ...pca.app.view.layout!, kind: 'umap', version: 2 };
    // Neighbours 3, 1, 2 sit at (10,10,10), (2,0,0), (0,4,0).
    expect(pca.app.dropped.positions[0].at.map((v) => +v.toFixed(4))).toEqual([4, 4.6667, 3.3333]);
  });

  it('becomes a keyframe, and the decoded point of the view', async () => {
    const { app, fake } = setup();
    await fireEvent.change(fileInput(), { target: { files: [png('a.png')] } });
    await waitFor(() => expect(screen.getByTestId('dropped-count').textContent).toBe('1'));
    await fireEvent.click(screen.getByTestId('dropped-keyframe'));
    expect(app.animation.keyframes.map((k) => Array.from(k.z))).toEqual([[0.5, -1]]);
    await fireEvent.click(screen.getByTestId('dropped-show'));
    expect(fake.argsOf('decode').map((a) => Array.from(a.z))).toEqual([[0.5, -1]]);
    await waitFor(() => expect(app.view.decoder.decoded?.z).toEqual(Float32Array.of(0.5, -1)));
  });

  it('another model shows none of the images the last one encoded', async () => {
    const { app } = setup();
    await fireEvent.change(fileInput(), { target: { files: [png('a.png')] } });
    await waitFor(() => expect(screen.getByTestId('dropped-count').textContent).toBe('1'));
    app.model = model({ dir: '/data/models/other', latentDim: 2 });
    await waitFor(() => expect(screen.getByTestId('dropped-count').textContent).toBe('0'));
  });
});
