package io.kekvault.bridge.inventory;

/** A cluster of hosts in a datacenter; its hosts share one datastore and every KEK used by its VMs. */
public record Cluster(String name, String datacenter) {
}
