/**
 * Replay server for upstream snapshots ({@code docs/upstream-snapshots.md}): serves snapshots {@code a}, {@code b}
 * and the {@code faults} overlay over loopback HTTP for the downloaders' and scrapers' tests and for {@code --mirror}
 * runs.
 */
package moe.ids.replay;
