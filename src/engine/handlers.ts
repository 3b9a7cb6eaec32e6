/**
 * The engine's handler table: one function per operation of the protocol (src/shared/engine-protocol.ts).
 * The type makes the table complete and each handler's arguments and result those of its schemas;
 * runEngineCall checks both at run time.
 */
import type { EngineHandlers } from '../shared/engine-protocol';
import { LatentPaths } from './latent-paths';
import { inspectModel } from './model-inspect';
import { modelSamples } from './model-samples';
import { EngineSession, type Emit } from './session';

export function engineHandlers(emit: Emit): EngineHandlers {
  const session = new EngineSession(emit);
  const paths = new LatentPaths(session, emit);
  return {
    init: (a) => session.init(a),
    openDataset: (a) => session.openDataset(a),
    train: (a) => session.train(a),
    cancel: () => session.cancel(),
    loadModel: (a) => session.loadModel(a),
    inspectModel: (a) => inspectModel(a.dir, a.verify ?? false),
    modelSamples: (a) => modelSamples(a.dir, a.count, a.seed),
    embed: () => session.embed(),
    decode: (a) => session.decode(a),
    reconstruct: (a) => session.reconstruct(a),
    datasetFiles: () => session.datasetFiles(),
    nearest: (a) => session.nearest(a),
    pointStats: () => session.pointStats(),
    atlas: (a) => session.atlas(a),
    fitProjection: (a) => session.fitProjection(a),
    interpolate: (a) => paths.interpolate(a),
    export: (a) => paths.export(a),
    exportFrames: (a) => paths.exportFrames(a),
    exportCancel: () => paths.exportCancel(),
    exportImage: (a) => paths.exportImage(a),
    encodeImage: (a) => session.encodeImage(a),
  };
}
