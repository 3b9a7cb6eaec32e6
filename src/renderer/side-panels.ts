/**
 * The side bars' panels, top to bottom, and the view's figure dialog: add a panel by adding it here.
 * App.svelte loads this module as its own chunk once the first cloud is drawn (shell/after-first-view.ts):
 * the first view needs none of them, and their code (and the libraries only they use: ml-matrix for
 * the directions) is a third of the page's script.
 */
import type { Component } from 'svelte';
import DatasetPanel from './dataset/DatasetPanel.svelte';
import TrainingPanel from './training/TrainingPanel.svelte';
import DecodePanel from './explorer/decode/DecodePanel.svelte';
import ProjectPanel from './project/ProjectPanel.svelte';
import InterpolationPanel from './animation/InterpolationPanel.svelte';
import ArithmeticPanel from './explorer/ArithmeticPanel.svelte';
import DirectionsPanel from './explorer/directions/DirectionsPanel.svelte';
import AutopilotPanel from './explorer/autopilot/AutopilotPanel.svelte';
import SelectionPanel from './explorer/SelectionPanel.svelte';
import DroppedPanel from './explorer/dropped/DroppedPanel.svelte';
import SelectionExportPanel from './explorer/selection-export/SelectionExportPanel.svelte';
import MetadataPanel from './explorer/metadata/MetadataPanel.svelte';
import FiguresPanel from './explorer/figures/FiguresPanel.svelte';
import FigureDialog from './explorer/figures/FigureDialog.svelte';
import BookmarksPanel from './project/BookmarksPanel.svelte';
import LibraryPanel from './library/LibraryPanel.svelte';

export const LEFT_PANELS: readonly Component[] = [DatasetPanel, TrainingPanel, LibraryPanel, ProjectPanel, BookmarksPanel];

export const RIGHT_PANELS: readonly Component[] = [
  DecodePanel,
  DirectionsPanel,
  AutopilotPanel,
  DroppedPanel,
  SelectionPanel,
  SelectionExportPanel,
  MetadataPanel,
  FiguresPanel,
  InterpolationPanel,
  ArithmeticPanel,
];

/** Over the view, shown while the user has asked for them. */
export const VIEW_DIALOGS: readonly Component[] = [FigureDialog];
