package io.kekvault.bridge.inventory;

/** A datacenter: the top of the inventory. */
public record Datacenter(String name) {
}
