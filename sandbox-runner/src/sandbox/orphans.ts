/** What a previous run of a runner id left in the engine, removed at start-up. */
import type Docker from 'dockerode';
import { SANDBOX_LABEL } from '../contract.ts';

/** Removes the containers and workspace volumes of `runnerId`'s sandboxes; returns how many containers. */
export async function removeOrphans(docker: Docker, runnerId: string): Promise<number> {
  const labels = [`${SANDBOX_LABEL}=1`, `samokoder.runner=${runnerId}`];
  const orphans = await docker.listContainers({ all: true, filters: { label: labels } });
  const remove = (c: { Id: string }) =>
    docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => {});
  await Promise.all(orphans.map(remove));
  // Volumes outlive their container only if its removal was interrupted.
  const { Volumes: volumes } = await docker.listVolumes({ filters: { label: labels } });
  await Promise.all(
    (volumes ?? []).map((v) =>
      docker
        .getVolume(v.Name)
        .remove()
        .catch(() => {}),
    ),
  );
  return orphans.length;
}
