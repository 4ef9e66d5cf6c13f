import { notifications } from '@mantine/notifications';

/**
 * A short confirmation in the corner. Its close button gets a name (Mantine's has none), which
 * screen readers announce and axe-core requires.
 */
export function notifySuccess(message: string, closeLabel: string): void {
  notifications.show({ color: 'green', message, closeButtonProps: { 'aria-label': closeLabel } });
}
