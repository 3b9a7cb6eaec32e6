/** The view's projection and colour choices: the toolbar shows them, the keyboard shortcuts cycle them. */
import type { ProjectionKind } from '../../shared/contract';
import type { PointColoring } from './layout';

export const PROJECTION_CHOICES: readonly { kind: ProjectionKind; label: string; key: string; title: string }[] = [
  { kind: 'identity', label: 'Latent', key: '1', title: 'The latent space itself (d ≤ 3)' },
  { kind: 'pca', label: 'PCA', key: '2', title: 'Principal components: an exact linear view and inverse' },
  {
    kind: 'umap',
    label: 'UMAP',
    key: '3',
    title: 'UMAP: a non-linear view; clicks decode an approximate inverse (not for d ≤ 3, where the latent space is the view)',
  },
];
export const COLOR_CHOICES: readonly { mode: PointColoring; label: string; title: string; testId?: string }[] = [
  { mode: 'label', label: 'Label', title: 'Colour by label' },
  { mode: 'recon', label: 'Recon', title: 'Colour by reconstruction error −log p(x | μ)' },
  { mode: 'kl', label: 'KL', title: 'Colour by KL(q(z|x) ‖ p(z))' },
  {
    mode: 'cluster',
    label: 'Clusters',
    title: 'Colour by cluster: k-means on the latent means, k chosen by silhouette; each named after its most common label',
    testId: 'cluster-toggle',
  },
];
