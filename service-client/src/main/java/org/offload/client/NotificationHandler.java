package org.offload.client;

/**
 * Receives a subscription's notifications ({@link ServiceClient#subscribe}) on the client's callback executor,
 * one at a time and in the order they arrived. An exception it throws is logged; delivery goes on.
 */
@FunctionalInterface
public interface NotificationHandler {
    void onNotification(Notification notification);
}
