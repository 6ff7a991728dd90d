package io.kekvault.kms.op;

import io.kekvault.kmip.error.KmsException;

/**
 * One KMS operation, shared by the KMIP and HTTP front ends: each front end decodes its wire
 * format into {@code Req}, the dispatcher runs the operation (access, audit, metrics), and the
 * front end encodes {@code Res}. Operations never see wire formats.
 */
public interface Operation<Req, Res> {

    /** Stable name used in the audit trail and metrics (e.g. {@code Create}, {@code Wrap}). */
    String name();

    Res handle(OpContext ctx, Req request) throws KmsException;
}
