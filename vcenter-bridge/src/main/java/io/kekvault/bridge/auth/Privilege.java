package io.kekvault.bridge.auth;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an operator may do, named after vSphere's privileges. The {@code Cryptographer.*} ones
 * govern encryption (vSphere's cryptographic operations privileges); a user holding none of them
 * can still power VMs on and off but cannot change encryption or see key identifiers.
 */
public enum Privilege {
    SYSTEM_READ("System.Read", false),
    DATACENTER_CREATE("Datacenter.Create", false),
    CLUSTER_CREATE("Host.Inventory.CreateCluster", false),
    HOST_ADD("Host.Inventory.AddHostToCluster", false),
    HOST_REMOVE("Host.Inventory.RemoveHostFromCluster", false),
    VM_CREATE("VirtualMachine.Inventory.Create", false),
    VM_POWER_ON("VirtualMachine.Interact.PowerOn", false),
    VM_POWER_OFF("VirtualMachine.Interact.PowerOff", false),
    VM_MIGRATE("Resource.ColdMigrate", false),
    VM_HOT_MIGRATE("Resource.HotMigrate", false),
    /** Create a new encrypted VM or disk. */
    CRYPTO_ENCRYPT_NEW("Cryptographer.EncryptNew", true),
    /** Encrypt an existing VM or disk. */
    CRYPTO_ENCRYPT("Cryptographer.Encrypt", true),
    /** Decrypt a VM or disk. */
    CRYPTO_DECRYPT("Cryptographer.Decrypt", true),
    /** Re-key (shallow or deep) an encrypted VM. */
    CRYPTO_RECRYPT("Cryptographer.Recrypt", true),
    /** Move an encrypted VM to another host. */
    CRYPTO_MIGRATE("Cryptographer.Migrate", true),
    /** See and manage KEKs (list keys in use, their state at the KMS). */
    CRYPTO_MANAGE_KEYS("Cryptographer.ManageKeys", true),
    /** Add, trust, change and remove key providers. */
    CRYPTO_MANAGE_KEY_SERVERS("Cryptographer.ManageKeyServers", true),
    /** Give a host the use of KEKs, or take it away (add or remove a host of a cluster with encrypted VMs). */
    CRYPTO_REGISTER_HOST("Cryptographer.RegisterHost", true);

    private final String id;
    private final boolean cryptographic;

    Privilege(String id, boolean cryptographic) {
        this.id = id;
        this.cryptographic = cryptographic;
    }

    /** The vSphere-style identifier, e.g. {@code Cryptographer.Decrypt}. */
    public String id() {
        return id;
    }

    public boolean cryptographic() {
        return cryptographic;
    }

    public static Optional<Privilege> byId(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equalsIgnoreCase(id) || p.name().equalsIgnoreCase(id)).findFirst();
    }
}
