/** Native dialogs: whatever the user picks becomes an allowed root of the service. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BrowserWindow, dialog, type FileFilter } from 'electron';
import type { CallInput } from '../shared/contract';
import type { AppService } from '../service/service';

export type Purpose = CallInput<'choosePath'>['purpose'];

/** Save dialogs: title, default name, file types. */
const SAVE: Partial<Record<Purpose, { title: string; defaultPath: string; filters?: FileFilter[] }>> = {
  export: {
    title: 'Export the animation',
    defaultPath: 'latent-path.gif',
    filters: [
      { name: 'GIF', extensions: ['gif'] },
      { name: 'WebM video', extensions: ['webm'] },
      { name: 'MP4 video', extensions: ['mp4'] },
      { name: 'PNG sprite sheet', extensions: ['png'] },
    ],
  },
  'export-image': { title: 'Save the decoded image', defaultPath: 'decoded.png', filters: [{ name: 'PNG image', extensions: ['png'] }] },
  'export-points': { title: 'Save the points as CSV', defaultPath: 'points.csv', filters: [{ name: 'CSV', extensions: ['csv'] }] },
  'path-save': { title: 'Save the path', defaultPath: 'path.json', filters: [{ name: 'Latentscape path', extensions: ['json'] }] },
  'project-save': { title: 'Save the project as a folder', defaultPath: 'latentscape-project' },
  'selection-export': { title: 'Copy the selected images into a new folder', defaultPath: 'selected-images' },
  'selection-list': {
    title: 'Save the list of selected images',
    defaultPath: 'selected-images.csv',
    filters: [
      { name: 'CSV', extensions: ['csv'] },
      { name: 'JSON', extensions: ['json'] },
    ],
  },
};

export async function choosePath(service: AppService, purpose: Purpose, defaultName?: string): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  let path: string | null = null;
  const save = SAVE[purpose];
  if (save) {
    // A folder of PNG frames is a name without an extension; no filter would let it through.
    const frames = purpose === 'export' && defaultName !== undefined && !/\.\w+$/.test(defaultName);
    // In the app's exports folder (made now, so the dialog opens there), never beside the dataset.
    await mkdir(service.exportsDir, { recursive: true }).catch(() => {});
    const defaultPath = join(service.exportsDir, defaultName ?? save.defaultPath);
    const options = { title: save.title, defaultPath, ...(save.filters && !frames ? { filters: save.filters } : {}) };
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    path = result.canceled ? null : (result.filePath ?? null);
    if (path && frames) path = path.replace(/[\\/]*$/, '/');
  } else {
    const titles: Partial<Record<Purpose, string>> = {
      dataset: 'Open a folder of images',
      'project-open': 'Open a Latentscape project',
      relocate: 'Where is the project’s image folder now?',
      'path-open': 'Open a saved path',
      'model-import': 'Import a model folder',
      'model-export': 'Export the model into which folder?',
      'metadata-open': 'Import metadata (CSV or Parquet)',
    };
    const options = {
      title: titles[purpose] ?? 'Open',
      // An export goes into a new folder inside the chosen one: offer to make that parent (macOS).
      properties: [
        purpose === 'path-open' || purpose === 'metadata-open' ? 'openFile' : 'openDirectory',
        ...(purpose === 'model-export' ? ['createDirectory'] : []),
      ] as ('openFile' | 'openDirectory' | 'createDirectory')[],
      ...(purpose === 'path-open' ? { filters: [{ name: 'Latentscape path', extensions: ['json'] }] } : {}),
      ...(purpose === 'metadata-open' ? { filters: [{ name: 'CSV or Parquet', extensions: ['csv', 'tsv', 'parquet'] }] } : {}),
    };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    path = result.canceled ? null : (result.filePaths[0] ?? null);
  }
  if (path) await service.paths.add(path);
  return path;
}
