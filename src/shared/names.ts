/**
 * The names of every call and event of the contract, with no dependency at all, so the sandboxed
 * preload can expose one function per call without bundling the schemas. contract.ts declares a
 * schema for each name (the type checker makes the two lists match exactly).
 */
export const CALL_NAMES = [
  'status',
  'choosePath',
  'openDataset',
  'trainStart',
  'trainCancel',
  'trainResume',
  'embeddings',
  'datasetFiles',
  'projection',
  'decode',
  'reconstruct',
  'nearest',
  'pointStats',
  'atlas',
  'interpolate',
  'export',
  'exportCancel',
  'exportImage',
  'exportPoints',
  'pathSave',
  'pathOpen',
  'projectSave',
  'projectOpen',
  'projectUpdate',
  'recentProjects',
  'projectCurrent',
  'projectRelocate',
  'modelsList',
  'modelOpen',
  'modelRename',
  'modelDuplicate',
  'modelDelete',
  'modelRestore',
  'modelSamples',
  'modelImport',
  'modelExport',
  'trashList',
  'trashEmpty',
  'encodeImage',
  'selectionExport',
  'selectionExportCancel',
  'metadataImport',
  'exportFrames',
  'exportVideo',
  'pathFromExport',
] as const;
export type CallName = (typeof CALL_NAMES)[number];

export const EVENT_NAMES = [
  'engine',
  'notice',
  'ingestProgress',
  'datasetChanged',
  'modelChanged',
  'trainProgress',
  'trainEpoch',
  'trainCheckpoint',
  'trainEnded',
  'trainQuality',
  'embeddingsReady',
  'trainSnapshot',
  'generationChanged',
  'trainingStatus',
  'menu',
  'exportProgress',
  'projectOpened',
  'projectMissingFolder',
  'projectClosed',
  'selectionExportProgress',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Electron IPC channels (only src/main/ipc and src/preload use them). */
export const IPC_CALL = 'latentscape:call';
export const IPC_EVENT = 'latentscape:event';
export const IPC_DROP = 'latentscape:drop';

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && (CALL_NAMES as readonly string[]).includes(name);
}
